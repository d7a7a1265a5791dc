"""Writes to a learner's lesson progress. Each is one conditional update, safe under races."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from django.core import signing
from django.db import connection, transaction
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Coalesce, Greatest

from core.reads import instances
from courses.models import Lesson, Question
from quizzes.models import Attempt
from quizzes.services import read_receipt

from .models import LessonProgress
from .progress import LessonState, PayloadError, Score, SyncPayload, earliest, merge_lesson


def record_quiz_score(*, learner, lesson: Lesson, score: int, total: int, at: datetime) -> None:
    """Sets the latest score (if this attempt is the newest) and the best (if it is better).

    Scores are compared as fractions, so a quiz that grew from 10 to 15 questions compares
    fairly. Conditional UPDATEs instead of read-modify-write keep concurrent attempts from
    overwriting each other.
    """
    progress, _ = LessonProgress.objects.get_or_create(
        learner=learner, lesson=lesson, defaults={"started_at": at, "last_visited_at": at}
    )
    rows = LessonProgress.objects.filter(pk=progress.pk)
    rows.filter(Q(latest_attempt_at__isnull=True) | Q(latest_attempt_at__lte=at)).update(
        latest_score=score, latest_total=total, latest_attempt_at=at
    )
    # best/best_total < score/total, cross-multiplied to stay in integers.
    rows.alias(best_scaled=F("best_score") * total).filter(
        Q(best_score__isnull=True) | Q(best_scaled__lt=score * F("best_total"))
    ).update(best_score=score, best_total=total)
    rows.filter(started_at__isnull=True).update(started_at=at)
    progress = rows.select_related("lesson__course").get()
    if progress.completed_at is None and _rule_met(progress, lesson, has_quiz=True):
        rows.filter(completed_at__isnull=True).update(completed_at=at)


def record_attempt(*, learner, attempt: Attempt) -> None:
    """Counts a graded attempt in the learner's progress (see record_quiz_score)."""
    record_quiz_score(
        learner=learner,
        lesson=attempt.lesson,
        score=attempt.score,
        total=attempt.total,
        at=attempt.submitted_at,
    )


def touch_lesson(*, learner, lesson: Lesson, at: datetime) -> LessonProgress:
    """Records a visit: starts the lesson if new, and moves "last visited" forward."""
    _record_visit(learner, lesson, at)
    return LessonProgress.objects.get(learner=learner, lesson=lesson)


# A visit moves "last visited" forward only when that changes what anything shows: the first
# visit, a return from another lesson (the course page's Continue link follows the latest), or
# once the stored time is this old. A learner rereading one lesson writes nothing, so their page
# is one read, and never waits on the database's write lock.
VISIT_REFRESH = timedelta(minutes=5)


def visit_lesson(*, learner, lesson: Lesson, at: datetime) -> tuple[LessonProgress, int]:
    """Records a visit (as touch_lesson, when it changes something; see VISIT_REFRESH) and
    returns the learner's progress in the lesson with how many of the course's published
    lessons they have completed: one query for a learner rereading a lesson."""
    progress, completed, latest_elsewhere = None, 0, None
    horizon = connection.ops.adapt_datetimefield_value(at - VISIT_REFRESH)
    params = [learner.pk, lesson.pk, lesson.course_id, horizon]
    for row in instances(LessonProgress, _VISIT_ROWS_SQL, params, columns=_VISIT_COLUMNS):
        if row.lesson_id == lesson.pk:
            progress = row
        elif row.last_visited_at is not None:
            latest_elsewhere = max(filter(None, [latest_elsewhere, row.last_visited_at]))
        published = lesson.is_published if row.lesson_id == lesson.pk else row.published
        if row.completed_at is not None and row.lesson_course_id == lesson.course_id and published:
            completed += 1
    if progress is None:
        progress, _ = LessonProgress.objects.get_or_create(
            learner=learner, lesson=lesson, defaults={"started_at": at, "last_visited_at": at}
        )
    elif _visit_changes_something(progress, latest_elsewhere, at):
        _record_visit(learner, lesson, at)
        # What the conditional UPDATE wrote, unless a concurrent visit wrote later still.
        progress.started_at = progress.started_at or at
        progress.last_visited_at = max(filter(None, [progress.last_visited_at, at]))
    return progress, completed


# The learner's rows for the lesson, for its course's lessons (the completed count), and for every
# lesson visited since the refresh horizon (only those can have been visited after this one).
# Written out because it runs on every signed-in lesson page: built and compiled by the ORM, the
# same query cost 1.4 ms of CPU against 0.3 ms for this through raw() (measured on the 2-core
# benchmark VM), a tenth of the whole page; read with core.reads, which converts the rows as
# raw() does without rebuilding a raw queryset for each page, less again. Its columns are
# listed, so that core.reads need not read the cursor's description (see instances).
_PROGRESS_COLUMNS = tuple(field.column for field in LessonProgress._meta.concrete_fields)
_VISIT_COLUMNS = (*_PROGRESS_COLUMNS, "lesson_course_id", "published")
_VISIT_ROWS_SQL = f"""
    SELECT {", ".join(f"progress.{column}" for column in _PROGRESS_COLUMNS)},
    lesson.course_id AS lesson_course_id, lesson.is_published AS published
    FROM {LessonProgress._meta.db_table} progress
    JOIN {Lesson._meta.db_table} lesson ON lesson.id = progress.lesson_id
    WHERE progress.learner_id = %s
    AND (progress.lesson_id = %s OR lesson.course_id = %s OR progress.last_visited_at > %s)
"""  # noqa: S608 (table and column names from the models; every value is a parameter)


def _visit_changes_something(
    progress: LessonProgress, latest_elsewhere: datetime | None, at: datetime
) -> bool:
    last = progress.last_visited_at
    return (
        progress.started_at is None
        or last is None
        or at - last >= VISIT_REFRESH
        or (latest_elsewhere is not None and latest_elsewhere >= last)
    )


def _record_visit(learner, lesson: Lesson, at: datetime) -> None:
    rows = LessonProgress.objects.filter(learner=learner, lesson=lesson)
    # One UPDATE in the common case (a returning learner); a row is created only once.
    if not rows.update(
        last_visited_at=Greatest(Coalesce("last_visited_at", Value(at)), Value(at)),
        started_at=Coalesce("started_at", Value(at)),
    ):
        LessonProgress.objects.get_or_create(
            learner=learner, lesson=lesson, defaults={"started_at": at, "last_visited_at": at}
        )


def _has_quiz(lesson_ids: Iterable[int]) -> set[int]:
    rows = Question.objects.current().filter(lesson__in=list(lesson_ids))
    return set(rows.values_list("lesson_id", flat=True).distinct())


def _rule_met(progress: LessonProgress, lesson: Lesson, *, has_quiz: bool) -> bool:
    """Whether this progress completes the lesson under its course's rule (course.md)."""
    current = {section.anchor for section in lesson.sections.all()}
    all_read = bool(current) and current <= set(progress.sections_read)
    return lesson.course.completion_rule.is_met(
        all_read=all_read, score=progress.best_score, total=progress.best_total, has_quiz=has_quiz
    )


def _plausible_reading(
    lesson: Lesson, new_anchors: Iterable[str], started_at: datetime | None, now: datetime
) -> bool:
    """Whether sections first reported as read now could have been read since the lesson began.

    The browser counts a section only after it has been on screen for its reading time, so
    no honest report arrives sooner after the start than the longest of those times. This
    catches a client that ticks sections off as they scroll past; it is not a defence against
    a forged clock, which could only cheat its own learner.
    """
    seconds = {section.anchor: section.read_seconds for section in lesson.sections.all()}
    needed = max((seconds[anchor] for anchor in new_anchors if anchor in seconds), default=0)
    return started_at is not None and (now - started_at).total_seconds() >= needed


def _state_of(progress: LessonProgress) -> LessonState:
    best = None
    if progress.best_score is not None and progress.best_total:
        best = Score(total=progress.best_total, score=progress.best_score)
    return LessonState(
        sections_read=frozenset(progress.sections_read),
        started_at=progress.started_at,
        completed_at=progress.completed_at,
        best=best,
    )


def _lessons_by_ref(refs: Iterable[str]) -> dict[str, Lesson]:
    pairs = [ref.split("/", 1) for ref in refs]
    if not pairs:
        return {}
    query = Q()
    for course, slug in pairs:
        query |= Q(course__slug=course, slug=slug)
    lessons = Lesson.objects.filter(query).select_related("course").prefetch_related("sections")
    return {f"{lesson.course.slug}/{lesson.slug}": lesson for lesson in lessons}


def sync_progress(*, learner, payload: SyncPayload, now: datetime) -> bool:
    """Merges a browser's local progress into the learner's, all or nothing.

    Checks everything first (every lesson and section must exist or have existed, every
    receipt must be a valid signature over a real attempt), then locks the learner's rows and
    writes the merge. Returns whether anything changed.
    """
    lessons = _lessons_by_ref(payload.lessons)
    for ref in payload.lessons:
        if ref not in lessons:
            raise PayloadError(f"unknown lesson '{ref[:200]}'")
    attempts = []
    for index, receipt in enumerate(payload.receipts):
        try:
            vouched = read_receipt(receipt)
        except signing.BadSignature:
            raise PayloadError(f"attempts[{index}] is not a receipt this site issued") from None
        attempt = Attempt.objects.filter(public_id=vouched["a"], lesson_id=vouched["l"]).first()
        if attempt is None or (attempt.score, attempt.total) != (vouched["s"], vouched["t"]):
            raise PayloadError(f"attempts[{index}] names no recorded attempt")
        attempts.append(attempt)

    quizzed = _has_quiz(lesson.pk for lesson in lessons.values())
    changed = False
    with transaction.atomic():
        # Attempts first: a score they bring can complete a lesson below.
        for attempt in attempts:
            claimed = Attempt.objects.filter(pk=attempt.pk, learner__isnull=True).update(
                learner=learner
            )
            if claimed:
                _mark_retakes(learner, attempt.lesson_id)
                record_attempt(learner=learner, attempt=attempt)
                changed = True
        # Create missing rows first, ignoring ones a concurrent sync just created, then lock
        # them all: two first-time syncs can no longer both insert the same row.
        LessonProgress.objects.bulk_create(
            [LessonProgress(learner=learner, lesson=lesson) for lesson in lessons.values()],
            ignore_conflicts=True,
        )
        existing = {
            progress.lesson_id: progress
            for progress in LessonProgress.objects.select_for_update().filter(
                learner=learner, lesson__in=[lesson.pk for lesson in lessons.values()]
            )
        }
        for ref, incoming in payload.lessons.items():
            lesson = lessons[ref]
            progress = existing[lesson.pk]
            current = {section.anchor for section in lesson.sections.all()}
            known = current | set(lesson.retired_anchors) | set(progress.sections_read)
            unknown = sorted(incoming.sections_read - known)
            if unknown:
                raise PayloadError(f"lesson '{ref}' has no section '{unknown[0][:200]}'")
            before = _state_of(progress)
            # Completion is decided here, by the course's rule, never taken from the browser.
            claimed_completion = incoming.completed_at
            incoming = replace(incoming, best=None, completed_at=None)
            started_at = earliest(before.started_at, incoming.started_at) or now
            new = incoming.sections_read - before.sections_read
            if new and not _plausible_reading(lesson, new, started_at, now):
                incoming = replace(incoming, sections_read=before.sections_read)
            merged = merge_lesson(before, incoming)
            progress.sections_read = sorted(merged.sections_read)
            progress.started_at = started_at
            completed_at = before.completed_at
            if completed_at is None and _rule_met(progress, lesson, has_quiz=lesson.pk in quizzed):
                # The browser's time, when it is believable, says when it really happened.
                believable = claimed_completion and started_at <= claimed_completion <= now
                completed_at = claimed_completion if believable else now
            after = (merged.sections_read, started_at, completed_at)
            if after == (before.sections_read, before.started_at, before.completed_at):
                continue
            progress.completed_at = completed_at
            progress.last_visited_at = max(filter(None, [progress.last_visited_at, now]))
            progress.save()
            changed = True
    return changed


def _mark_retakes(learner, lesson_id: int) -> None:
    """After a claim, every attempt but the learner's earliest on the lesson came after they
    had seen its answers (each result shows them), on whichever device it was made."""
    attempts = Attempt.objects.filter(learner=learner, lesson_id=lesson_id)
    earliest = attempts.order_by("submitted_at", "pk").values_list("pk", flat=True).first()
    attempts.exclude(pk=earliest).update(after_answers_seen=True)


def learner_state(learner) -> dict[str, dict]:
    """Everything the browser mirrors about this learner's progress, keyed by lesson ref."""
    rows = LessonProgress.objects.filter(learner=learner).select_related("lesson__course")
    return {
        progress.ref: {
            "sections_read": sorted(progress.sections_read),
            "started_at": iso(progress.started_at),
            "completed_at": iso(progress.completed_at),
            "best_score": progress.best_score,
            "best_total": progress.best_total,
            "latest_score": progress.latest_score,
            "latest_total": progress.latest_total,
        }
        for progress in rows
    }


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def completed_lessons_by_course(learner) -> dict[int, int]:
    """How many published lessons of each course this learner has completed (one query)."""
    if learner is None or not learner.is_authenticated:
        return {}
    rows = (
        LessonProgress.objects.filter(
            learner=learner, completed_at__isnull=False, lesson__is_published=True
        )
        .values_list("lesson__course_id")
        .annotate(count=Count("id"))
    )
    return dict(rows)


def lesson_refs_by_course() -> dict[int, list[str]]:
    """Each course's published lessons as "course/lesson" refs, in order (one query)."""
    refs: dict[int, list[str]] = {}
    rows = Lesson.objects.published().order_by("number")
    for course_id, course_slug, slug in rows.values_list("course_id", "course__slug", "slug"):
        refs.setdefault(course_id, []).append(f"{course_slug}/{slug}")
    return refs


def continue_with(lessons: list[Lesson]) -> Lesson | None:
    """Where a learner picks a course up: the lesson they last visited if it is unfinished,
    else the next unfinished one after it (then from the start); None when all are complete."""
    progress = [(lesson, lesson.learner_progress) for lesson in lessons]
    unfinished = [lesson for lesson, row in progress if not (row and row.completed_at)]
    if not unfinished:
        return None
    visited = [
        (row.last_visited_at, i)
        for i, (_, row) in enumerate(progress)
        if row and row.last_visited_at
    ]
    if not visited:
        return unfinished[0]
    last = max(visited)[1]
    after = [lesson for lesson in lessons[last:] if lesson in unfinished]
    return after[0] if after else unfinished[0]
