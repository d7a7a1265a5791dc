"""Where the tutor loses answers: an error decomposition for any question file (issue #12).

    python bench/tutor_errors.py                       # the lesson tuning sets (TUNING_SETS)
    python bench/tutor_errors.py --content DIR --questions FILE [FILE ...] [--list]

Question files are in the format of tests/tutor_eval/README.md ("Question files"); the lessons
are read from the content folder as the importer would (no database). Each question is
assessed as the answerability model sees it (`answer.assess` with the shipped model, the
passage it judges, its probability against the model's threshold: the label `fit` uses), and
counted in exactly one row:

* answerable, **hit**: the judged passage holds an expected phrase and clears the threshold;
* answerable, **(a) declined, right passage**: the passage holds it, the model declines;
* answerable, **(b) wrong passage**: the passage lacks it (answered or declined), with the rank
  of the first unit that holds an expected phrase: 2nd-3rd, 4th-5th, 6th-10th, below 10th
  (or not among the ranked candidates), or no single unit holds it;
* unanswerable, **declined**, or **(c) answered**: `--list` prints these (and the answerable
  misses) with the probability and the judged passage, for reading by hand.

Rank 2-10 misses say what a better ranker could gain at k = 3, 5, 10; the rest is vocabulary
or phrasing. Never point it at a held-out set while tuning: the tuning sets are the default.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from tutor.retrieval import fit_data  # noqa: E402
from tutor.retrieval.answer import assess  # noqa: E402
from tutor.retrieval.answerability import load_model  # noqa: E402
from tutor.retrieval.index import build_index  # noqa: E402

ROWS = (
    "hit",
    "(a) declined, right passage",
    "(b) wrong passage, answered",
    "(b) wrong passage, declined",
    "declined",
    "(c) answered",
)
RANKS = ("2nd-3rd", "4th-5th", "6th-10th", "below 10th or not ranked", "no single unit holds it")


def gold_rank(index, ranked: list[tuple[float, int]], answers: list[str]) -> str:
    """Which of RANKS the first unit holding an expected phrase falls in (`fit_data.gold_rank`)."""
    first = fit_data.gold_rank(index, ranked, answers)
    if first is None:
        return RANKS[4]
    if first >= min(10, len(ranked)):  # below the 10th, or not among the ranked units
        return RANKS[3]
    return RANKS[0] if first < 3 else RANKS[1] if first < 5 else RANKS[2]


def classify(index, question: str, answers: list[str], model) -> dict:
    """One question's row, the gold unit's rank (answerable misses) and what the model saw."""
    part = assess(index, question, model)
    answered = bool(part.query.terms) and part.probability >= model.threshold
    passage = " ".join(index.units[u].text for u in part.judged)
    rank = ""
    if not answers:
        row = "(c) answered" if answered else "declined"
    elif fit_data.holds_expected(passage, answers):
        row = "hit" if answered else "(a) declined, right passage"
    else:
        row = "(b) wrong passage, " + ("answered" if answered else "declined")
        rank = gold_rank(index, part.ranked, answers)
    return {
        "row": row,
        "rank": rank,
        "probability": part.probability,
        "passage": passage,
        "question": question,
    }


def decompose(content: Path, questions: list[Path]) -> dict[str, list[dict]]:
    """Every case of each question file, classified (keyed by the file's name)."""
    model = load_model()
    lessons = {ref: build_index(text) for ref, text in fit_data.content_lessons(content).items()}
    out = {}
    for path in questions:
        cases = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        for n, case in enumerate(cases, start=1):
            if case.get("lesson") not in lessons:
                raise SystemExit(
                    f"{path}: question {n} names lesson {case.get('lesson')!r}, which is not in "
                    f"{content} (lessons are named course-slug/lesson-slug)"
                )
        out[path.name] = [
            classify(lessons[c["lesson"]], str(c["question"]), fit_data.expected_phrases(c), model)
            for c in cases
        ]
    return out


def table(results: dict[str, list[dict]]) -> str:
    """A Markdown table: a column per file and one pooled over them."""
    columns = {**results, "pooled": [r for rs in results.values() for r in rs]}
    names = [f"`{n}`" if n != "pooled" else n for n in columns]
    lines = ["| row | " + " | ".join(names) + " |", "| --- " * (len(columns) + 1) + "|"]

    def line(label: str, match) -> None:
        counts = (str(sum(1 for r in rows if match(r))) for rows in columns.values())
        lines.append(f"| {label} | " + " | ".join(counts) + " |")

    for name in ROWS:
        line(name, lambda r, n=name: r["row"] == n)
        if name == "(b) wrong passage, declined":
            for rank in RANKS:
                line(f"(b) first gold unit: {rank}", lambda r, k=rank: r["rank"] == k)
            for k, ranks in ((3, RANKS[:1]), (5, RANKS[:2]), (10, RANKS[:3])):
                line(f"(b) gold unit within the top {k}", lambda r, s=ranks: r["rank"] in s)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--content", type=Path, help="the lessons' content folder")
    parser.add_argument("--questions", type=Path, nargs="+", help="question files (YAML)")
    parser.add_argument("--list", action="store_true", help="print every miss with its passage")
    args = parser.parse_args(argv)
    if bool(args.content) != bool(args.questions):
        parser.error("--content and --questions go together")
    if args.content:
        results = decompose(args.content, args.questions)
    else:
        results = {}
        for name, folder in fit_data.TUNING_SETS:
            results |= decompose(fit_data.DEFAULT_EVAL / folder, [fit_data.DEFAULT_EVAL / name])
    print(table(results))
    if args.list:
        for name, rows in results.items():
            for r in rows:
                if r["row"] not in ("hit", "declined"):
                    print(f"\n{name} | {r['row']} {r['rank']} | p={r['probability']:.2f}")
                    print(f"  Q: {r['question']}\n  P: {r['passage']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
