"""The progress merge as a pure function: properties checked with Hypothesis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lessons.progress import LessonState, PayloadError, Score, merge, parse_payload

REFS = ["a/one", "a/two", "b/three"]
ANCHORS = ["intro", "middle", "end", "old"]
BASE = datetime(2026, 1, 1, tzinfo=UTC)

times = st.one_of(st.none(), st.integers(0, 10_000).map(lambda m: BASE + timedelta(minutes=m)))
scores = st.one_of(
    st.none(),
    st.integers(1, 15).flatmap(
        lambda total: st.builds(Score, total=st.just(total), score=st.integers(0, total))
    ),
)
lesson_states = st.builds(
    LessonState,
    sections_read=st.frozensets(st.sampled_from(ANCHORS)),
    started_at=times,
    completed_at=times,
    best=scores,
)
states = st.dictionaries(st.sampled_from(REFS), lesson_states, max_size=3)


@given(states)
def test_merge_is_idempotent(a):
    assert merge(a, a) == a


@given(states, states)
def test_merge_is_commutative(a, b):
    assert merge(a, b) == merge(b, a)


@given(states, states, states)
def test_merge_is_associative(a, b, c):
    assert merge(merge(a, b), c) == merge(a, merge(b, c))


@given(states, states)
def test_merge_never_loses_progress(a, b):
    merged = merge(a, b)
    for source in (a, b):
        for ref, state in source.items():
            result = merged[ref]
            assert state.sections_read <= result.sections_read
            if state.completed_at is not None:
                assert result.completed_at is not None and result.completed_at <= state.completed_at
            if state.started_at is not None:
                assert result.started_at <= state.started_at
            if state.best is not None:
                assert result.best >= state.best


def test_better_score_is_the_higher_fraction():
    assert Score(total=15, score=12) > Score(total=10, score=7)
    assert max(Score(total=2, score=1), Score(total=4, score=2)) == Score(total=4, score=2)


NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_parse_payload_accepts_the_edges_of_the_window():
    edges = {"started_at": "2000-01-01T00:00:00Z", "completed_at": "2026-06-01T12:05:00Z"}
    state = parse_payload({"lessons": {"a/one": edges}}, now=NOW).lessons["a/one"]
    assert state.started_at.year == 2000 and state.completed_at.minute == 5


def test_parse_payload_accepts_the_browser_shape():
    payload = parse_payload(
        {
            "lessons": {
                "a/one": {
                    "sections_read": ["intro"],
                    "started_at": "2026-01-01T10:00:00Z",
                    "completed_at": None,
                }
            },
            "attempts": ["receipt"],
        },
        now=NOW,
    )
    assert payload.lessons["a/one"].sections_read == frozenset({"intro"})
    assert payload.lessons["a/one"].started_at == datetime(2026, 1, 1, 10, tzinfo=UTC)
    assert payload.receipts == ("receipt",)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "the body must be a JSON object"),
        ({"lessons": []}, "'lessons' must be an object"),
        ({"lessons": {"nocourse": {}}}, "a lesson is named 'course/lesson'"),
        ({"lessons": {"a/one": []}}, "lessons['a/one'] must be an object"),
        ({"lessons": {"a/one": {"sections_read": "intro"}}}, "sections_read must be a list"),
        (
            {"lessons": {"a/one": {"sections_read": [3]}}},
            "sections_read[0] must be a section anchor",
        ),
        (
            {"lessons": {"a/one": {"started_at": "yesterday"}}},
            "started_at must be an ISO 8601 time",
        ),
        ({"lessons": {"a/one": {"started_at": "2026-01-01T10:00:00"}}}, "must include a time zone"),
        ({"lessons": {"a/one": {"score": 15}}}, "unknown field 'score'"),
        ({"attempts": "x"}, "'attempts' must be a list"),
        ({"attempts": [5]}, "attempts[0] must be a receipt string"),
        ({"extra": 1}, "unknown field 'extra'"),
        (
            {"lessons": {"a/one": {"started_at": "0001-01-01T00:00:00+14:00"}}},
            "lessons['a/one'].started_at must be a time between 2000-01-01 and now",
        ),
        (
            {"lessons": {"a/one": {"completed_at": "9999-12-31T23:59:59-14:00"}}},
            "lessons['a/one'].completed_at must be a time between 2000-01-01 and now",
        ),
        (
            {"lessons": {"a/one": {"started_at": "1999-12-31T23:59:59Z"}}},
            "started_at must be a time between",
        ),
        (
            {"lessons": {"a/one": {"completed_at": "2026-06-01T12:05:01Z"}}},
            "completed_at must be a time between",
        ),
    ],
)
def test_parse_payload_names_the_problem(data, message):
    with pytest.raises(PayloadError) as error:
        parse_payload(data, now=NOW)
    assert message in str(error.value)
