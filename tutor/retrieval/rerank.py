"""A fitted re-ranker of BM25's best few units (session 25, `ltr`).

BM25 with its two nudges (`ranking.rank`) often puts a unit that shares the question's common
words first and the unit holding the answer a few places below. The re-ranker reads, for each
of the best `tuning.RERANK_UNITS` units of any lesson, a few general things about it (how its
score compares with the best, how much of the question's weighted terms the unit holds by
itself and with its heading and context, whether it holds the kind of thing the question asks
for, whether it is a key term, a table row or a sentence announcing a list) and orders them by
a linear score over those features. The coefficients are fitted on the tuning data's labels (a
unit holding an expected answer against one that does not, of the same question) by `python -m
tutor.retrieval.fit_ranker`, and stored in `ranker.json` beside this file.

Only the units whose score is at least `tuning.RERANK_RATIO` of the best are ordered (session
25, `ltr2`): the re-ranker decides only where BM25 is unsure, and never puts first a unit far
below the best. Only which units hold those places changes: the scores of the places stay
BM25's, best first, so what reads a ranking's scores (the runner-ups `compose.choose_units`
takes, the model's `score` feature) reads the same profile, and the units above the runner-up
line are the same set.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import tuning
from .index import LessonIndex
from .lexicon import content_terms
from .ranking import Query, definition_match, has_answer_type
from .units import ROW, TERM

RANKER_PATH = Path(__file__).with_name("ranker.json")

#: The features of a candidate unit, in the order of `candidate_features`.
FEATURES = (
    "relative_score",  # its score over the best candidate's
    "position",  # its place among the candidates, 0 (first) to 1 (last)
    "own_coverage",  # the share of the question's weighted terms its own words hold
    "context_coverage",  # ... with its heading and the sentence it refers or belongs to
    "answer_type",  # it holds the name, date, number or list a who/when/how-many asks for
    "definition",  # how much of what a "what is X?" question asks about it defines
    "key_term",  # a key-term entry, "Term: definition"
    "key_term_asked",  # ... and the question asks "what is X?"
    "row",  # a table row
    "announces_asked",  # it announces a list, and the question asks for a set of things
    "log_words",  # log of its length in words
)


@dataclass(frozen=True)
class Ranker:
    """A linear score over `FEATURES`: higher ranks first."""

    weights: tuple[float, ...]

    def score(self, x: list[float]) -> float:
        return sum(w * v for w, v in zip(self.weights, x, strict=True))


@lru_cache(maxsize=1)
def load_ranker(path: Path = RANKER_PATH) -> Ranker | None:
    """The shipped ranker, or None when there is none (BM25's order stands)."""
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"{path} was fitted on other features; refit it (fit_ranker)")
    return Ranker(tuple(data["weights"]))


def close_count(ranked: list[tuple[float, int]]) -> int:
    """How many of the first `tuning.RERANK_UNITS` units of `ranked` score at least
    `tuning.RERANK_RATIO` of the best: the units the re-ranker may order (session 25, `ltr2`).
    The ratio is the runner-up line (`CLOSE_RATIO`), so re-ordering them keeps the set of units
    a passage's runner-ups come from, and a unit far below the best is never put first."""
    if not ranked:
        return 0
    line = tuning.RERANK_RATIO * ranked[0][0]
    return sum(1 for score, _ in ranked[: tuning.RERANK_UNITS] if score >= line)


def candidate_features(
    index: LessonIndex, query: Query, ranked: list[tuple[float, int]]
) -> list[list[float]]:
    """`FEATURES` of each of the units of `ranked` the re-ranker may order (`close_count`)."""
    head = ranked[: close_count(ranked)]
    if not head:
        return []
    top = head[0][0] or 1.0
    total = sum(query.weights) or 1.0
    pairs = list(zip(query.terms, query.weights, strict=True))
    last = max(1, len(head) - 1)
    rows = []
    for n, (score, uid) in enumerate(head):
        unit = index.units[uid]
        own = set(content_terms(unit.text))
        around = index.unit_terms(uid)
        key_term = unit.kind == TERM
        rows.append(
            [
                score / top,
                n / last,
                sum(w for t, w in pairs if t in own) / total,
                sum(w for t, w in pairs if t in around) / total,
                float(bool(query.answer_type) and has_answer_type(index, uid, query)),
                definition_match(index, uid, query) if query.subject else 0.0,
                float(key_term),
                float(key_term and bool(query.subject)),
                float(unit.kind == ROW),
                float(query.asks_list and bool(unit.items)),
                math.log(1 + len(unit.text.split())),
            ]
        )
    return rows


def rerank(
    index: LessonIndex,
    query: Query,
    ranked: list[tuple[float, int]],
    ranker: Ranker | None,
) -> list[tuple[float, int]]:
    """`ranked` with its close units (`close_count`) ordered by `ranker` (ties keep BM25's
    order); each place keeps its score."""
    if ranker is None or close_count(ranked) < 2:
        return ranked
    head = ranked[: close_count(ranked)]
    scores = [ranker.score(x) for x in candidate_features(index, query, ranked)]
    order = sorted(range(len(head)), key=lambda n: (-scores[n], n))
    return [(head[n][0], head[m][1]) for n, m in enumerate(order)] + ranked[len(head) :]
