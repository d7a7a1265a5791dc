"""Item statistics against values computed by hand."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from reports.statistics import (
    ItemScores,
    discrimination,
    discriminative_efficiency,
    facility,
    flags,
)


def moments(pairs: list[tuple[float, float]]) -> ItemScores:
    """pairs of (x, y): credit on this question, score on the rest of the quiz."""
    return ItemScores(Counter(pairs))


def test_facility_is_the_share_right():
    assert facility(moments([(1, 3), (0, 1), (1, 2), (1, 0)])) == 0.75


def test_discrimination_matches_a_hand_computed_pearson_r():
    # x = [1, 1, 0, 0], y = [4, 3, 2, 1]: mean x 0.5, mean y 2.5
    # cov = sum((x-0.5)(y-2.5)) = 0.5*1.5 + 0.5*0.5 + (-0.5)(-0.5) + (-0.5)(-1.5) = 2.0
    # sd_x = sqrt(4 * 0.25) = 1, sd_y = sqrt(2.25 + 0.25 + 0.25 + 2.25) = sqrt(5)
    value = discrimination(moments([(1, 4), (1, 3), (0, 2), (0, 1)]))
    assert value == pytest.approx(2.0 / math.sqrt(5))  # 0.894


def test_a_question_strong_learners_miss_has_negative_discrimination():
    assert discrimination(moments([(0, 4), (0, 3), (1, 1), (1, 0)])) < 0


def test_discrimination_is_undefined_without_variation():
    assert discrimination(moments([(1, 2), (1, 3)])) is None  # everyone right
    assert discrimination(moments([(1, 2), (0, 2)])) is None  # rest of quiz equal
    assert discrimination(moments([(1, 2)])) is None


def test_facility_with_partial_credit_is_the_mean_credit():
    assert facility(moments([(1, 3), (0.5, 1), (0.25, 2), (0, 0)])) == 0.4375


def test_discriminative_efficiency_matches_a_hand_computed_value():
    # x = [1, 0, 1, 0], y = [3, 2, 1, 0]: means 0.5 and 1.5.
    # cov sum = 0.5*1.5 + (-0.5)(0.5) + 0.5*(-0.5) + (-0.5)(-1.5) = 1.0
    # sorted pairing x = [0, 0, 1, 1] with y = [0, 1, 2, 3]: sum x_i y_i = 5, minus
    # n * mean_x * mean_y = 3, gives cov_max sum 2.0; efficiency 1.0 / 2.0.
    assert discriminative_efficiency(moments([(1, 3), (0, 2), (1, 1), (0, 0)])) == 0.5
    # A perfectly ordered question reaches the maximum.
    assert discriminative_efficiency(moments([(1, 3), (1, 2), (0, 1), (0, 0)])) == 1.0
    assert discriminative_efficiency(moments([(1, 2), (1, 3)])) is None  # x does not vary


def test_flags():
    assert flags(
        facility_index=0.95,
        discrimination_index=0.5,
        upper_correct_choices=9,
        upper_best_wrong_choices=1,
    ) == ["too easy"]
    assert flags(
        facility_index=0.1,
        discrimination_index=0.05,
        upper_correct_choices=2,
        upper_best_wrong_choices=6,
    ) == [
        "too hard",
        "weak discrimination",
        "a wrong option draws more strong learners than the right one",
    ]
    assert (
        flags(
            facility_index=0.6,
            discrimination_index=None,
            upper_correct_choices=5,
            upper_best_wrong_choices=5,
        )
        == []
    )
