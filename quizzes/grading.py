"""Grading rules, as plain functions over plain data (no Django).

A single-answer question is right when the one correct option is chosen; a multiple-select
question only when exactly the correct set is chosen. An unanswered question is wrong.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class QuestionKey:
    question_id: int
    correct_ids: frozenset[int]


@dataclass(frozen=True)
class Grade:
    score: int
    total: int
    correct: Mapping[int, bool]  # question id -> right or wrong


def is_correct(key: QuestionKey, chosen: Iterable[int]) -> bool:
    return frozenset(chosen) == key.correct_ids


def grade(keys: Sequence[QuestionKey], answers: Mapping[int, frozenset[int]]) -> Grade:
    correct = {key.question_id: is_correct(key, answers.get(key.question_id, ())) for key in keys}
    return Grade(score=sum(correct.values()), total=len(keys), correct=correct)


def shuffled(option_ids: Sequence[int], *, seed: str, question_id: int) -> list[int]:
    """The order one attempt shows a question's options in: random, but reproducible."""
    order = list(option_ids)
    # Not for security: the order only has to differ between attempts and be repeatable.
    random.Random(f"{seed}:{question_id}").shuffle(order)  # noqa: S311
    return order
