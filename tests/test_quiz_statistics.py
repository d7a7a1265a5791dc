"""Item statistics against values computed by hand."""

from __future__ import annotations

import math

import pytest

from reports.statistics import Moments, discrimination, facility, flags


def moments(pairs: list[tuple[int, int]]) -> Moments:
    """pairs of (x, y): right or wrong on this question, score on the rest of the quiz."""
    return Moments(
        n=len(pairs),
        sum_x=sum(x for x, _ in pairs),
        sum_y=sum(y for _, y in pairs),
        sum_xy=sum(x * y for x, y in pairs),
        sum_yy=sum(y * y for _, y in pairs),
    )


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
