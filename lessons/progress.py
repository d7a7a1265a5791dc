"""Merging progress from several devices, as plain functions over plain data (no Django).

Progress only grows: sections read are a union, a lesson starts and completes at the earliest
time any device saw, and the best score is the best any server-graded attempt earned. That
makes `merge` idempotent, commutative and associative, so the same payload twice, or two
devices in either order, give the same result, and nothing learned is ever lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

MAX_LESSONS = 500
MAX_SECTIONS = 200
MAX_ATTEMPTS = 200
MAX_TEXT = 200
# Times a browser may report: nothing before the site could exist, nothing later than now plus
# a little clock skew. Outside this window a value may not even fit the database's range.
EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=UTC)
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True, order=True)
class Score:
    """A server-graded score; better means a higher fraction, then more questions."""

    fraction: Fraction = field(init=False, compare=True)
    total: int
    score: float  # fractional under partial credit

    def __post_init__(self) -> None:
        # Fraction(float) is exact, so comparing 13.5/15 with 9/10 never rounds.
        object.__setattr__(self, "fraction", Fraction(self.score) / max(self.total, 1))


@dataclass(frozen=True)
class LessonState:
    sections_read: frozenset[str] = frozenset()
    started_at: datetime | None = None
    completed_at: datetime | None = None
    best: Score | None = None


def earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return min(a, b)


def _best(a: Score | None, b: Score | None) -> Score | None:
    if a is None or b is None:
        return a or b
    return max(a, b)


def merge_lesson(a: LessonState, b: LessonState) -> LessonState:
    return LessonState(
        sections_read=a.sections_read | b.sections_read,
        started_at=earliest(a.started_at, b.started_at),
        completed_at=earliest(a.completed_at, b.completed_at),
        best=_best(a.best, b.best),
    )


def merge(a: Mapping[str, LessonState], b: Mapping[str, LessonState]) -> dict[str, LessonState]:
    """Merges two learners' states keyed by lesson ref ("course/lesson")."""
    merged = dict(a)
    for ref, state in b.items():
        merged[ref] = merge_lesson(merged[ref], state) if ref in merged else state
    return merged


# ---------------------------------------------------------------------------------------------
# Reading a sync payload from the browser
# ---------------------------------------------------------------------------------------------
class PayloadError(ValueError):
    """The payload is malformed; the message names where."""


@dataclass(frozen=True)
class SyncPayload:
    lessons: dict[str, LessonState]
    receipts: tuple[str, ...]


def _timestamp(value: Any, where: str, now: datetime) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise PayloadError(f"{where} must be an ISO 8601 time or null")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise PayloadError(f"{where} must be an ISO 8601 time, got {value[:40]!r}") from None
    if parsed.tzinfo is None:
        raise PayloadError(f"{where} must include a time zone")
    try:
        in_utc = parsed.astimezone(UTC)
    except OverflowError:  # e.g. year 1 at +14:00 is before year 1 in UTC
        in_utc = None
    if in_utc is None or not EARLIEST_TIME <= in_utc <= now + CLOCK_SKEW:
        raise PayloadError(
            f"{where} must be a time between {EARLIEST_TIME:%Y-%m-%d} and now, got {value[:40]!r}"
        )
    return in_utc


def parse_payload(data: Any, *, now: datetime) -> SyncPayload:
    """Checks the shape of `{"lessons": {ref: {...}}, "attempts": [receipt, ...]}`.

    ``now`` bounds the times a browser may report (see EARLIEST_TIME and CLOCK_SKEW).
    """
    if not isinstance(data, dict):
        raise PayloadError("the body must be a JSON object")
    unknown = set(data) - {"lessons", "attempts"}
    if unknown:
        raise PayloadError(f"unknown field '{sorted(unknown)[0][:MAX_TEXT]}'")
    lessons_data = data.get("lessons", {})
    if not isinstance(lessons_data, dict):
        raise PayloadError("'lessons' must be an object keyed by 'course/lesson'")
    if len(lessons_data) > MAX_LESSONS:
        raise PayloadError(f"'lessons' may hold at most {MAX_LESSONS} lessons")
    lessons: dict[str, LessonState] = {}
    for ref, entry in lessons_data.items():
        where = f"lessons['{ref[:MAX_TEXT]}']"
        # No slug holds a NUL, and PostgreSQL refuses one in a query.
        if ref.count("/") != 1 or len(ref) > MAX_TEXT or "\x00" in ref:
            raise PayloadError(f"{where}: a lesson is named 'course/lesson'")
        if not isinstance(entry, dict):
            raise PayloadError(f"{where} must be an object")
        extra = set(entry) - {"sections_read", "started_at", "completed_at"}
        if extra:
            raise PayloadError(f"{where}: unknown field '{sorted(extra)[0][:MAX_TEXT]}'")
        sections = entry.get("sections_read", [])
        if not isinstance(sections, list) or len(sections) > MAX_SECTIONS:
            raise PayloadError(f"{where}.sections_read must be a list of section anchors")
        for index, anchor in enumerate(sections):
            if not isinstance(anchor, str) or not anchor or len(anchor) > MAX_TEXT:
                raise PayloadError(f"{where}.sections_read[{index}] must be a section anchor")
        lessons[ref] = LessonState(
            sections_read=frozenset(sections),
            started_at=_timestamp(entry.get("started_at"), f"{where}.started_at", now),
            completed_at=_timestamp(entry.get("completed_at"), f"{where}.completed_at", now),
        )
    receipts = data.get("attempts", [])
    if not isinstance(receipts, list) or len(receipts) > MAX_ATTEMPTS:
        raise PayloadError(f"'attempts' must be a list of at most {MAX_ATTEMPTS} receipts")
    for index, receipt in enumerate(receipts):
        if not isinstance(receipt, str) or len(receipt) > 1000:
            raise PayloadError(f"attempts[{index}] must be a receipt string")
    return SyncPayload(lessons=lessons, receipts=tuple(receipts))
