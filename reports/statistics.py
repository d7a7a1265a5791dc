"""Quiz item statistics as plain functions (no Django), following Moodle's quiz statistics.

The database counts; these functions turn counts into statistics, so a report never loops
over attempts in Python. Each question's data is a frequency table: how many counted attempts
earned credit x on this question (0 to 1; partial credit makes it fractional) and scored y on
the rest of the quiz (the attempt's score minus x), so any statistic of x and y follows from
a few dozen rows whatever the number of attempts.

- Facility index: the mean credit, x̄ (with all-or-nothing scoring, the share right).
- Discrimination index: Pearson's correlation between x and y, cov(x, y) / (s_x s_y), as Moodle
  computes it. High values mean learners strong on the rest of the quiz do well on this
  question; near zero or negative means it does not separate them (or misleads the strong).
- Discriminative efficiency: cov(x, y) / cov_max(x, y), where cov_max pairs the i-th smallest x
  with the i-th smallest y, the largest covariance these scores could have. It says how much
  of the discrimination the question's difficulty allows it actually reaches.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

TOO_EASY = 0.90
TOO_HARD = 0.25
WEAK_DISCRIMINATION = 0.20
FEW_LEARNERS = 20
UPPER_GROUP_SHARE = 0.27  # the classic "upper 27%" of learners by total score


@dataclass(frozen=True)
class ItemScores:
    """(credit on the question, score on the rest of the quiz) -> number of attempts."""

    counts: Mapping[tuple[float, float], int]

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    def _sum(self, value) -> float:
        return sum(count * value(x, y) for (x, y), count in self.counts.items())


def facility(item: ItemScores) -> float | None:
    n = item.n
    return item._sum(lambda x, y: x) / n if n else None


def _centred(item: ItemScores) -> tuple[float, float, float, float]:
    """(covariance sum, x variance sum, y variance sum, n) around the means."""
    n = item.n
    mean_x = item._sum(lambda x, y: x) / n
    mean_y = item._sum(lambda x, y: y) / n
    cov = item._sum(lambda x, y: (x - mean_x) * (y - mean_y))
    var_x = item._sum(lambda x, y: (x - mean_x) ** 2)
    var_y = item._sum(lambda x, y: (y - mean_y) ** 2)
    return cov, var_x, var_y, n


# Sums below this are float noise from subtracting equal means, not variation.
_EPSILON = 1e-9


def discrimination(item: ItemScores) -> float | None:
    """Pearson r between x and y; None when either does not vary (r is undefined)."""
    if item.n < 2:
        return None
    cov, var_x, var_y, _ = _centred(item)
    if var_x <= _EPSILON or var_y <= _EPSILON:
        return None
    return cov / math.sqrt(var_x * var_y)


def discriminative_efficiency(item: ItemScores) -> float | None:
    """cov(x, y) / cov_max(x, y) (Moodle); None when the maximum covariance is zero."""
    if item.n < 2:
        return None
    cov, _, _, n = _centred(item)
    mean_x = item._sum(lambda x, y: x) / n
    mean_y = item._sum(lambda x, y: y) / n
    xs = _runs((x, count) for (x, _), count in item.counts.items())
    ys = _runs((y, count) for (_, y), count in item.counts.items())
    cov_max = _sorted_cross(xs, ys) - n * mean_x * mean_y
    if cov_max <= _EPSILON:
        return None
    return cov / cov_max


def _runs(values: Iterable[tuple[float, int]]) -> list[list[float]]:
    """Sorted (value, count) runs, equal values merged."""
    merged: dict[float, int] = {}
    for value, count in values:
        merged[value] = merged.get(value, 0) + count
    return [[value, merged[value]] for value in sorted(merged)]


def _sorted_cross(xs: list[list[float]], ys: list[list[float]]) -> float:
    """Σ x_(i) y_(i) over both lists sorted ascending, walking the runs (no expansion)."""
    total = 0.0
    i = j = 0
    left_x = xs[0][1] if xs else 0
    left_y = ys[0][1] if ys else 0
    while i < len(xs) and j < len(ys):
        step = min(left_x, left_y)
        total += step * xs[i][0] * ys[j][0]
        left_x -= step
        left_y -= step
        if not left_x:
            i += 1
            left_x = xs[i][1] if i < len(xs) else 0
        if not left_y:
            j += 1
            left_y = ys[j][1] if j < len(ys) else 0
    return total


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
