"""Writes to a learner's lesson progress. Each is one conditional update, safe under races."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, Q

from .models import Lesson, LessonProgress


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
