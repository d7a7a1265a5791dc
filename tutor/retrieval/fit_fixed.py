"""Each left-out group scored at a reference run's threshold as well (`fit --thresholds-from`).

Leaving one set out, each left-out group is scored at the threshold its refit chose (the median
of the other groups' best), and that threshold moves with refits that change none of the
group's replies: most of the judge's noise (docs/tutor-experiments.md, "Session 22, `noise`").
`fit --leave-one-set-out --thresholds-from FILE`, FILE written by `--save-decisions` on a
reference run (main), also scores each left-out group at the threshold the reference chose for
it, so a group's move is read apart from its refit's threshold. A second table gives, for each
reading of the run, the reference's threshold and combined accuracy (from its saved decisions),
the combined at that threshold now, and the refitted threshold and combined now, each with its
change; then the mean of the groups each way and the groups down more than `DOWN` each way.

The means are of the combined figures as the tables print them (one decimal), the judge's mean
as every record reads it; the changes are of the exact figures, so two questions of a 199-question
group (1.005 points) are down more than 1.0.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from .fit_paired import THRESHOLDS, Decisions, decisions, reading

#: A group down more than this many points of combined accuracy fails the judge's group rule
#: (docs/tutor.md, "Judging a change").
DOWN = 1.0


class BadReference(ValueError):
    """The reference file is malformed, or its readings are not the run's."""


def decided(scored: list[tuple], threshold: float) -> list[tuple[str, bool]]:
    """Each (example, probability) of a left-out group as (question, decided right) at
    `threshold`: answered with a right passage, or declined without an answer."""
    return [
        (e.question, (e.correct and p >= threshold) or (not e.answerable and p < threshold))
        for e, p in scored
    ]


def load(path: Path) -> tuple[dict[str, float], Decisions]:
    """The thresholds and decisions of a file `--save-decisions` wrote, or `BadReference`
    saying what is wrong with it."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise BadReference(f"{path}: cannot read it ({err.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BadReference(f"{path}: not a JSON file --save-decisions wrote ({err})") from None
    if not isinstance(found, dict):
        raise BadReference(f"{path}: not a JSON object of readings")
    chosen = found.pop(THRESHOLDS, None)
    if chosen is None:
        raise BadReference(
            f"{path} holds no thresholds: --save-decisions has saved them since session 23; "
            "save the reference again"
        )
    if not isinstance(chosen, dict) or not all(
        isinstance(t, int | float) and not isinstance(t, bool) and 0 <= t <= 1
        for t in chosen.values()
    ):
        raise BadReference(f'{path}: "{THRESHOLDS}" must map each reading to a number in 0-1')
    for name, mine in found.items():
        if (
            not isinstance(mine, dict)
            or not mine
            or not all(isinstance(r, bool) for r in mine.values())
        ):
            raise BadReference(f"{path}: reading {name!r} is not questions mapped to true/false")
    if chosen.keys() != found.keys():
        odd = sorted(chosen.keys() ^ found.keys())
        raise BadReference(f"{path}: thresholds and decisions name other readings: {odd}")
    return chosen, found


def _groups(names: list[str]) -> dict[str, set[str]]:
    """Each reading's recipe and weight, with the groups left out under it."""
    out: dict[str, set[str]] = {}
    for name in names:
        recipe, _, group = name.rpartition(": ")
        out.setdefault(recipe, set()).add(group)
    return out


def check_readings(path: Path, chosen: dict[str, float], rows: list[dict]) -> None:
    """`BadReference` unless the file has every reading of `rows` with the same left-out
    groups (it may have other readings)."""
    filed = _groups(list(chosen))
    for recipe, groups in _groups([reading(row) for row in rows]).items():
        if recipe not in filed:
            raise BadReference(
                f"{path} has no reading {recipe!r} (it has {sorted(filed)}); save the "
                "reference with the same --recipe, weights and rules"
            )
        if filed[recipe] != groups:
            raise BadReference(
                f"{path} left out other lesson groups for {recipe!r}: only there "
                f"{sorted(filed[recipe] - groups)}, only here {sorted(groups - filed[recipe])} "
                "(save the reference with the same --every-tuning-set and data)"
            )


def _percent(rights: list[bool]) -> float:
    # As the tables print it: the share, then times 100 (format's "%").
    return sum(rights) / len(rights) * 100


def compare(rows: list[dict], chosen: dict[str, float], found: Decisions) -> list[dict]:
    """For each row: its reading and group, the reference's threshold and combined (from its
    decisions), the combined at that threshold now ("fixed"), and the refitted threshold and
    combined now, the combined figures in percent."""
    lines = []
    for row in rows:
        name = reading(row)
        fixed = decided(row["scored"], chosen[name])
        lines.append(
            {
                "reading": name.rpartition(": ")[0],
                "left_out": row["left_out"],
                "reference_threshold": chosen[name],
                "reference": _percent(list(found[name].values())),
                "fixed": _percent([r for _, r in fixed]),
                "threshold": row["threshold"],
                "refitted": _percent([r for _, r in row["right"]]),
                "same_questions": decisions([row])[name].keys() == found[name].keys(),
            }
        )
    return lines


def mean(values: list[float]) -> float:
    """The mean of combined figures as the tables print them (one decimal)."""
    return statistics.fmean(round(v, 1) for v in values)


def print_fixed(lines: list[dict]) -> None:
    print(
        "\n| reading | left out | reference threshold | reference combined | combined at it "
        "| change | refitted threshold | refitted combined | change |\n" + "| --- " * 9 + "|"
    )
    for name in dict.fromkeys(line["reading"] for line in lines):
        mine = [line for line in lines if line["reading"] == name]
        for x in mine:
            print(
                f"| {name} | {x['left_out']} | {x['reference_threshold']:.3f} "
                f"| {x['reference']:.1f}% | {x['fixed']:.1f}% | {x['fixed'] - x['reference']:+.2f} "
                f"| {x['threshold']:.3f} | {x['refitted']:.1f}% "
                f"| {x['refitted'] - x['reference']:+.2f} |"
            )
        means = {k: mean([x[k] for x in mine]) for k in ("reference", "fixed", "refitted")}
        print(
            f"| {name} | **mean of {len(mine)} groups** | | {means['reference']:.2f} "
            f"| {means['fixed']:.2f} | {means['fixed'] - means['reference']:+.2f} | "
            f"| {means['refitted']:.2f} | {means['refitted'] - means['reference']:+.2f} |"
        )
    for way, key in (("at the reference's thresholds", "fixed"), ("refitted", "refitted")):
        down = [
            f"{x['reading']}: {x['left_out']} ({x[key] - x['reference']:+.2f})"
            for x in lines
            if x[key] - x["reference"] < -DOWN
        ]
        print(f"\ngroups down more than {DOWN:.1f} {way}: {', '.join(down) or 'none'}")
    changed = [f"{x['reading']}: {x['left_out']}" for x in lines if not x["same_questions"]]
    if changed:
        print(f"\nother questions than the reference's (compare with care): {', '.join(changed)}")
