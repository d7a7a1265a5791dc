"""The report code as it was before the recomputation work, kept only as the benchmark's
baseline: the course report's medians (one window query and two offsets per lesson) and the
tutor gaps (the latest 5,000 declined questions fetched and grouped in Python, each compared
with every group). bench/django_tasks.py times these beside today's pages in the same run.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import ExpressionWrapper, F, FloatField
from django.db.models.functions import Cast

from courses.models import Lesson
from reports.queries import counted_attempts
from tutor.gaps import GapGroup, _similarity
from tutor.models import TutorQuestion
from tutor.retrieval import query_terms, tokenize

_FRACTION = ExpressionWrapper(Cast("score", FloatField()) / F("total"), output_field=FloatField())
MAX_GAP_QUESTIONS = 5000


def _median_fraction(attempts):
    ordered = (
        attempts.annotate(fraction=_FRACTION)
        .order_by("fraction")
        .values_list("fraction", flat=True)
    )
    n = attempts.count()
    if not n:
        return None
    if n % 2:
        return ordered[n // 2]
    low, high = ordered[n // 2 - 1 : n // 2 + 1]
    return (low + high) / 2


def course_medians(course) -> dict[int, float | None]:
    lessons = list(Lesson.objects.published().filter(course=course).order_by("number"))
    attempts = counted_attempts(lessons, "first")
    return {lesson.pk: _median_fraction(attempts.filter(lesson=lesson)) for lesson in lessons}


def _group_questions(questions: list[str], threshold: float = 0.5) -> list[GapGroup]:
    groups: list[GapGroup] = []
    for question in questions:
        text = " ".join(question.split())
        terms = frozenset(query_terms(tokenize(text)))
        best = max(groups, key=lambda g: _similarity(g.terms, terms), default=None)
        if best is not None and _similarity(best.terms, terms) >= threshold:
            best.wordings[text] += 1
        else:
            groups.append(GapGroup(terms=terms, wordings=Counter({text: 1})))
    return sorted(groups, key=lambda group: -group.count)


def tutor_gaps(lesson) -> list[GapGroup]:
    declined = list(
        TutorQuestion.objects.filter(lesson=lesson, grounded=False)
        .order_by("-asked_at")
        .values_list("question", flat=True)[:MAX_GAP_QUESTIONS]
    )
    return _group_questions(declined)
