"""Grading rules, as plain functions over plain data (no Django).

A single-answer question earns 1 when its one correct option is chosen, else 0. A
multiple-select question is scored as its course says (``multiple_select_scoring`` in
course.md):

- ``all-or-nothing`` (the default): 1 only when exactly the correct set is chosen, else 0.
- ``partial``: Moodle's multiple-answer grading (the sum of the chosen options' grades, kept
  between 0 and 1) with the right options sharing +100% and the wrong ones -100%: each
  chosen right option adds 1/R (R right options), each chosen wrong option subtracts 1/W
  (W wrong options). Choosing every option therefore earns 0, as does choosing nothing.

An unanswered question earns 0. An attempt's score is the sum of its questions' credits, so it
can be fractional under partial credit (e.g. 13.67 of 15).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

ALL_OR_NOTHING = "all-or-nothing"
PARTIAL = "partial"


@dataclass(frozen=True)
class QuestionKey:
    question_id: int
    option_ids: tuple[int, ...]
    correct_ids: frozenset[int]

    @property
    def is_multiple(self) -> bool:
        return len(self.correct_ids) > 1


@dataclass(frozen=True)
class Grade:
    score: float
    total: int
    credit: Mapping[int, float]  # question id -> credit from 0 to 1

    @property
    def correct(self) -> dict[int, bool]:
        """Question id -> fully right."""
        return {question: value == 1 for question, value in self.credit.items()}


def is_correct(key: QuestionKey, chosen: Iterable[int]) -> bool:
    return frozenset(chosen) == key.correct_ids


def credit(key: QuestionKey, chosen: Iterable[int], scoring: str = ALL_OR_NOTHING) -> float:
    """The share of the question's mark that ``chosen`` earns, from 0 to 1."""
    chosen = frozenset(chosen)
    if scoring != PARTIAL or not key.is_multiple:
        return 1.0 if chosen == key.correct_ids else 0.0
    wrong_ids = frozenset(key.option_ids) - key.correct_ids
    # Fractions keep 1/3 + 1/3 + 1/3 exactly 1; the float is made once at the end.
    earned = Fraction(len(chosen & key.correct_ids), len(key.correct_ids))
    if wrong_ids:
        earned -= Fraction(len(chosen - key.correct_ids), len(wrong_ids))
    return float(min(max(earned, Fraction(0)), Fraction(1)))


def grade(
    keys: Sequence[QuestionKey],
    answers: Mapping[int, frozenset[int]],
    scoring: str = ALL_OR_NOTHING,
) -> Grade:
    credits = {
        key.question_id: credit(key, answers.get(key.question_id, ()), scoring) for key in keys
    }
    return Grade(score=score_of(credits.values()), total=len(keys), credit=credits)


def score_of(credits: Iterable[float]) -> float:
    """A total of credits, rounded so sums of thirds do not drift (14.999999 stays 15)."""
    return round(sum(credits), 6)


def shuffled(option_ids: Sequence[int], *, seed: str, question_id: int) -> list[int]:
    """The order one attempt shows a question's options in: random, but reproducible."""
    order = list(option_ids)
    # Not for security: the order only has to differ between attempts and be repeatable.
    random.Random(f"{seed}:{question_id}").shuffle(order)  # noqa: S311
    return order
