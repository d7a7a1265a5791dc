"""Where the answer is when the tutor's passage lacks it (issue #12), on tuning data only.

    python bench/rankmisses.py          # the passage as quoted
    python bench/rankmisses.py judged   # the passage the model judges (main's quote before
                                        # the next sentence was added)

For each answerable question of the tuning data (SQuAD's tuning file, the shipped set's tuning
half, the tuning sets of `fit_data.TUNING_SETS`; never a held-out set) whose quoted passage holds
no gold answer: the rank of the first unit that holds one, and where the nearest such unit sits
against the best-ranked unit. No encoder: ranking and composition only.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tutor.retrieval import fit_data  # noqa: E402
from tutor.retrieval.answer import assess  # noqa: E402


def where(index, part, answers) -> tuple[str, str]:
    if not part.ranked:
        return "nothing ranked", "-"
    first = fit_data.gold_rank(index, part.ranked, answers)
    if first is None:
        return "no single unit holds it", "-"
    gold = [u for u, unit in enumerate(index.units) if fit_data.holds_expected(unit.text, answers)]
    rank = (
        "not among the candidates"
        if first == len(part.ranked)
        else "2nd-5th"
        if first < 5
        else "6th-10th"
        if first < 10
        else "below 10th"
    )
    best = part.ranked[0][1]
    section = index.units[best].section
    if best + 1 in gold:
        place = "the next unit"
    elif best - 1 in gold:
        place = "the unit before"
    elif any(abs(g - best) <= 3 for g in gold):
        place = "2-3 units away"
    elif any(index.units[g].section == section for g in gold):
        place = "same section"
    else:
        place = "another section"
    return rank, place


def main(judged: bool) -> None:
    ranks: Counter = Counter()
    places: Counter = Counter()
    totals: Counter = Counter()
    rows = fit_data.labelled_questions(
        fit_data.DEFAULT_SQUAD, fit_data.DEFAULT_EVAL, ROOT / "content", fit_data.TUNING_SETS
    )
    for source, _, index, question, answers in rows:
        if not answers:
            continue
        part = assess(index, question)
        passage = " ".join(index.units[u].text for u in (part.judged if judged else part.chosen))
        totals[source] += 1
        if fit_data.holds_expected(passage, answers):
            continue
        totals[source, "missed"] += 1
        rank, place = where(index, part, answers)
        ranks[source, rank] += 1
        places[source, place] += 1
    for source in ("lessons", "squad"):
        print(f"{source}: {totals[source, 'missed']} of {totals[source]} answerable missed")
        for counter in (ranks, places):
            print("  " + ", ".join(f"{k[1]} {v}" for k, v in counter.items() if k[0] == source))


if __name__ == "__main__":
    main(judged=sys.argv[1:] == ["judged"])
