"""Fits the re-ranker of BM25's best units (`rerank.py`): `python -m tutor.retrieval.fit_ranker`
writes `ranker.json` (offline, needs numpy).

Its data are the lesson tuning questions (the shipped set's tuning half and every set of
`fit_data.TUNING_SETS`, never SQuAD and never a held-out file), each ranked as the tutor serves
it. Its candidates are the units the re-ranker may order (`rerank.close_count`); a candidate is
gold when the passage the model would judge with it first holds an expected phrase (as
`bench/tutor_errors.py` finds one; session 25's `ltr2`: the passage, not the unit, since the
runner-ups and the list it announces come along). A question counts when one candidate is gold
and one is not: each pair of a gold and a non-gold candidate is an example, the difference of
their features labelled 1 and its negation 0, each question weighing one in all. The weighted
L2 logistic regression of `fit_regression` fits them; a linear score's order is all that
matters, so the weights are stored unstandardised and without a bias.

`--leave-one-set-out` prints, for each lesson group, how often a gold passage is first before
and after re-ranking with a ranker fitted without that group; the answerability judge (`fit
--leave-one-set-out`) scores each group with such a ranker too (`leave_each_out`).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from . import compose, tuning
from .fit_data import (
    DEFAULT_EVAL,
    ROOT,
    TUNING_SETS,
    grouped_questions,
    holds_expected,
    served_part,
)
from .index import LessonIndex
from .ranking import Query, definition_match, rank, read_query
from .rerank import FEATURES, RANKER_PATH, Ranker, candidate_features, close_count

#: The L2 penalty of the fit, in units of the questions' total weight.
L2 = 1.0


@dataclass(frozen=True)
class Candidates:
    """One question's close units: their features and which lead a passage holding an answer."""

    group: str
    x: list[list[float]]
    gold: list[bool]
    gold_anywhere: bool  # some unit of the lesson holds an answer
    answerable: bool = True


def judged_first(index: LessonIndex, query: Query, ranked: list[tuple[float, int]], n: int) -> str:
    """The text of the passage the model would judge with `ranked`'s `n`-th unit put first (the
    places keeping their scores, as `rerank` leaves them): the unit with what
    `compose.choose_units` brings along (its list, its context, the close runner-ups)."""
    order = [ranked[n][1], *(u for m, (_, u) in enumerate(ranked) if m != n)]
    moved = [(score, uid) for (score, _), uid in zip(ranked, order, strict=True)]
    complete = bool(query.subject) and definition_match(index, order[0], query) == 1
    judged = compose.choose_units(index, moved, query.terms, complete=complete)
    return " ".join(index.units[u].text for u in judged)


def candidates(eval_dir: Path = DEFAULT_EVAL, content: Path = ROOT / "content") -> list[Candidates]:
    """Every lesson tuning question's candidates, in the data's order."""
    out = []
    for group, _, _, index, question, answers in grouped_questions(
        None, eval_dir, content, TUNING_SETS
    ):
        query = read_query(index, served_part(index, question))
        ranked = rank(index, query) if query.terms else []
        gold = [
            holds_expected(judged_first(index, query, ranked, n), answers)
            for n in range(close_count(ranked))
        ]
        anywhere = any(holds_expected(unit.text, answers) for unit in index.units)
        x = candidate_features(index, query, ranked)
        out.append(Candidates(group, x, gold, anywhere, bool(answers)))
    return out


def fit(data: list[Candidates], l2: float = L2) -> Ranker:
    """The ranker fitted on `data`'s pairs of a gold and a non-gold candidate; a question with
    two or more candidates and no such pair (all gold, none gold, or unanswerable) gives the
    pairs of BM25's first and each other candidate, the first preferred (variant B of `ltr2`:
    the ranker moves a unit first only where the labelled pairs outweigh BM25's order)."""
    from .fit_regression import fit_logistic

    xs, ys, weights = [], [], []
    for c in data:
        pairs = [
            (g, b)
            for g, is_gold in zip(c.x, c.gold, strict=True)
            if is_gold
            for b, is_bad in zip(c.x, c.gold, strict=True)
            if not is_bad
        ]
        if not pairs:
            pairs = [(c.x[0], b) for b in c.x[1:]]
        for g, b in pairs:
            diff = [u - v for u, v in zip(g, b, strict=True)]
            xs += [diff, [-d for d in diff]]
            ys += [1.0, 0.0]
            weights += [0.5 / len(pairs)] * 2
    _, scale, beta, _ = fit_logistic(xs, ys, weights, l2)
    return Ranker(tuple(round(b / s, 6) for b, s in zip(beta, scale, strict=True)))


def first_is_gold(c: Candidates, ranker: Ranker | None) -> bool:
    """Whether the first candidate after re-ranking with `ranker` (None: BM25's) holds an answer."""
    if not c.x:
        return False
    if ranker is None:
        return c.gold[0]
    scores = [ranker.score(x) for x in c.x]
    best = min(range(len(c.x)), key=lambda n: (-scores[n], n))
    return c.gold[best]


def leave_each_out(data: list[Candidates], l2: float = L2) -> dict[str, Ranker]:
    """For each lesson group, the ranker fitted on every other group."""
    groups = dict.fromkeys(c.group for c in data)
    return {g: fit([c for c in data if c.group != g], l2) for g in groups}


def payload(ranker: Ranker, data: list[Candidates]) -> str:
    """`ranker.json`'s text."""
    fitted = sum(len(c.x) >= 2 for c in data)
    body = {
        "features": list(FEATURES),
        "weights": list(ranker.weights),
        "units": tuning.RERANK_UNITS,
        "ratio": tuning.RERANK_RATIO,
        "fitted_on": fitted,
    }
    lines = [f"  {json.dumps(key)}: {json.dumps(value)}" for key, value in body.items()]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--out", type=Path, default=RANKER_PATH)
    parser.add_argument("--leave-one-set-out", action="store_true")
    args = parser.parse_args(argv)
    data = candidates(args.eval_dir, args.content)
    if args.leave_one_set_out:
        rankers = leave_each_out(data)
        print(
            "| group | answerable | gold unit anywhere | in top k | first, BM25 "
            "| first, re-ranked |"
        )
        print("| --- | --- | --- | --- | --- | --- |")
        totals = [0] * 5
        for group, ranker in rankers.items():
            here = [c for c in data if c.group == group and c.answerable]
            row = [
                len(here),
                sum(c.gold_anywhere for c in here),
                sum(any(c.gold) for c in here),
                sum(first_is_gold(c, None) for c in here),
                sum(first_is_gold(c, ranker) for c in here),
            ]
            totals = [a + b for a, b in zip(totals, row, strict=True)]
            print(f"| `{group}` | " + " | ".join(map(str, row)) + " |")
        print("| pooled | " + " | ".join(map(str, totals)) + " |")
        return 0
    ranker = fit(data)
    args.out.write_text(payload(ranker, data), encoding="utf-8")
    for name, w in zip(FEATURES, ranker.weights, strict=True):
        print(f"  {name:18} {w:+.4f}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
