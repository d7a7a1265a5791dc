"""Quiz item statistics as plain functions (no Django), following Moodle's quiz statistics.

The database sums; these functions turn sums into statistics, so a report never loops over
attempts in Python.

- Facility index: the share of counted attempts that got the question right.
- Discrimination index: Pearson's correlation between the question's score and the score on the
  rest of the quiz (the total minus this question), as Moodle computes it. High values mean
  strong learners get it right and weak learners do not; near zero or negative means the
  question does not separate them (or misleads strong learners).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

TOO_EASY = 0.90
TOO_HARD = 0.25
WEAK_DISCRIMINATION = 0.20
FEW_LEARNERS = 20
UPPER_GROUP_SHARE = 0.27  # the classic "upper 27%" of learners by total score


@dataclass(frozen=True)
class Moments:
    """Sums over counted attempts of x (1 if right, else 0) and y (rest-of-quiz score)."""

    n: int
    sum_x: float
    sum_y: float
    sum_xy: float
    sum_yy: float

    @property
    def sum_xx(self) -> float:
        return self.sum_x  # x is 0 or 1


def facility(moments: Moments) -> float | None:
    return moments.sum_x / moments.n if moments.n else None


def discrimination(moments: Moments) -> float | None:
    """Pearson r between x and y; None when either does not vary (r is undefined)."""
    n = moments.n
    if n < 2:
        return None
    covariance = n * moments.sum_xy - moments.sum_x * moments.sum_y
    variance_x = n * moments.sum_xx - moments.sum_x**2
    variance_y = n * moments.sum_yy - moments.sum_y**2
    if variance_x <= 0 or variance_y <= 0:
        return None
    return covariance / math.sqrt(variance_x * variance_y)


def flags(
    *,
    facility_index: float | None,
    discrimination_index: float | None,
    upper_correct_choices: int,
    upper_best_wrong_choices: int,
) -> list[str]:
    """Plain-language warnings an instructor can act on."""
    found = []
    if facility_index is not None and facility_index > TOO_EASY:
        found.append("too easy")
    if facility_index is not None and facility_index < TOO_HARD:
        found.append("too hard")
    if discrimination_index is not None and discrimination_index < WEAK_DISCRIMINATION:
        found.append("weak discrimination")
    if upper_best_wrong_choices > upper_correct_choices:
        found.append("a wrong option draws more strong learners than the right one")
    return found
