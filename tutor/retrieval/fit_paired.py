"""Two leave-one-set-out readings compared question by question (`fit --paired`).

The mean combined accuracy of the left-out groups moves with every refit, since each fold's
threshold is chosen anew, so a change that touches a few questions can't be told from that
noise by the mean alone. `fit --leave-one-set-out --save-decisions FILE` keeps whether each
left-out question was decided right; `--paired FILE` on a later reading counts, per left-out
group, the questions each reading gets right that the other gets wrong, with the two-sided
sign-test probability of a split at least that lopsided if neither reading were better.

The file is a JSON object: each reading (`reading`: "recipe (weight w): left-out group") maps
each of its questions to whether it was decided right; since session 23 the key `THRESHOLDS`
maps each reading to the threshold its refit chose, which `fit --thresholds-from FILE` scores a
later run's left-out groups at (`fit_fixed`). `load` returns the decisions alone, so a file
written before then still serves `--paired`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

Decisions = dict[str, dict[str, bool]]  # "recipe (weight w): left-out group" -> question -> right
#: The file's key for each reading's threshold; no reading is named so (each holds ": ").
THRESHOLDS = "thresholds"


def reading(row: dict) -> str:
    """The name a leave-one-set-out row's reading has in the file."""
    return f"{row['recipe']} (weight {row['weight']}): {row['left_out']}"


def decisions(rows: list[dict]) -> Decisions:
    """Each row's decisions by question; a wording asked twice in a group is numbered."""
    found: Decisions = {}
    for row in rows:
        mine = found.setdefault(reading(row), {})
        asked: dict[str, int] = {}
        for question, right in row["right"]:
            asked[question] = asked.get(question, 0) + 1
            mine[question if asked[question] == 1 else f"{question} #{asked[question]}"] = right
    return found


def thresholds(rows: list[dict]) -> dict[str, float]:
    """Each row's reading and the threshold its refit chose."""
    return {reading(row): row["threshold"] for row in rows}


def save(path: Path, found: Decisions, chosen: dict[str, float] | None = None) -> None:
    """`found`, and under `THRESHOLDS` the readings' thresholds `chosen` when given."""
    kept = found | ({THRESHOLDS: chosen} if chosen is not None else {})
    path.write_text(json.dumps(kept, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def load(path: Path) -> Decisions:
    """The decisions of a file `save` wrote, without its thresholds (`fit_fixed.load`)."""
    found = json.loads(path.read_text(encoding="utf-8"))
    found.pop(THRESHOLDS, None)
    return found


def sign_test(better: int, worse: int) -> float:
    """Two-sided exact sign test: the chance of a split this uneven from fair coin flips."""
    n = better + worse
    tail = sum(math.comb(n, i) for i in range(min(better, worse) + 1)) / 2**n
    return min(1.0, 2 * tail)


def compare(old: Decisions, new: Decisions) -> list[tuple[str, int, int, int]]:
    """(reading, questions in both, right only in `new`, right only in `old`) per reading
    of `new` that `old` also has, then the total over them."""
    lines = []
    for key in new.keys() & old.keys():
        shared = new[key].keys() & old[key].keys()
        better = sum(new[key][q] and not old[key][q] for q in shared)
        worse = sum(old[key][q] and not new[key][q] for q in shared)
        lines.append((key, len(shared), better, worse))
    lines.sort()
    total = tuple(sum(line[i] for line in lines) for i in (1, 2, 3))
    return [*lines, ("**total**", *total)]


def print_paired(old: Decisions, new: Decisions) -> None:
    print("\n| reading | questions in both | right only now | right only before | sign test p |")
    print("| --- | --- | --- | --- | --- |")
    for key, shared, better, worse in compare(old, new):
        print(f"| {key} | {shared} | {better} | {worse} | {sign_test(better, worse):.3f} |")
    missing = sorted(new.keys() ^ old.keys())
    if missing:
        print(f"\nin one reading only, not compared: {', '.join(missing)}")
