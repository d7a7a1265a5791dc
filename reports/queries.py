"""Quiz score reports, aggregated in the database.

Self-paced learners retake quizzes, so every statistic counts one attempt per signed-in learner:
their first (the default, as in Moodle), best or last. Anonymous attempts cannot be linked to
each other and count one by one. Question statistics cover the current version of each question
only: an edited question starts afresh.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import (
    Avg,
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Least, RowNumber

from courses.models import Lesson, Option, Question
from lessons.models import LessonProgress
from quizzes.models import Attempt, AttemptAnswer

from . import statistics

BASES = {
    "first": "each learner's first attempt",
    "best": "each learner's best attempt",
    "last": "each learner's latest attempt",
}
HISTOGRAM_BINS = 10
CHART_HEIGHT = 180

_ORDER = {
    "first": [F("submitted_at").asc(), F("id").asc()],
    "best": [F("score").desc(), F("submitted_at").asc(), F("id").asc()],
    "last": [F("submitted_at").desc(), F("id").desc()],
}
_FRACTION = ExpressionWrapper(Cast("score", FloatField()) / F("total"), output_field=FloatField())


def counted_attempts(lessons: QuerySet | list[Lesson], basis: str = "first") -> QuerySet:
    """One attempt per signed-in learner and lesson (by ``basis``), plus anonymous attempts."""
    ranked = (
        Attempt.objects.filter(lesson__in=lessons, learner__isnull=False, total__gt=0)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("learner_id"), F("lesson_id")], order_by=_ORDER[basis]
            )
        )
        .filter(rank=1)
        .values("pk")
    )
    return Attempt.objects.filter(
        Q(pk__in=ranked) | Q(lesson__in=lessons, learner__isnull=True, total__gt=0)
    )


def median_fraction(attempts: QuerySet) -> float | None:
    """The median score fraction, read with one or two ordered offsets, never all rows."""
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


@dataclass
class QuestionStats:
    question: Question
    number: int
    n: int
    facility: float | None
    discrimination: float | None
    options: list[dict]  # {option, count, share, upper_count}
    flags: list[str]
    section_anchor: str = ""


@dataclass
class LessonQuizReport:
    lesson: Lesson
    basis: str
    learners: int
    attempts_counted: int
    attempts_total: int
    average: float | None
    median: float | None
    first_average: float | None
    best_average: float | None
    histogram: list[dict]
    questions: list[QuestionStats] = field(default_factory=list)

    @property
    def basis_label(self) -> str:
        return BASES[self.basis]

    @property
    def too_few(self) -> bool:
        return self.attempts_counted < statistics.FEW_LEARNERS


def histogram(attempts: QuerySet) -> list[dict]:
    """Counts of attempts by score, in ten bands of 10 percentage points."""
    band = Least(
        Cast(F("score") * HISTOGRAM_BINS / F("total"), IntegerField()), Value(HISTOGRAM_BINS - 1)
    )
    counts = dict(
        attempts.annotate(band=band).values_list("band").annotate(count=Count("pk")).order_by()
    )
    peak = max(counts.values(), default=0)
    bins = []
    for b in range(HISTOGRAM_BINS):
        height = round(CHART_HEIGHT * counts.get(b, 0) / peak) if peak else 0
        bins.append(
            {
                "label": f"{10 * b}\u2013{10 * b + 9}%"
                if b < HISTOGRAM_BINS - 1
                else "90\u2013100%",
                "count": counts.get(b, 0),
                # SVG geometry for the chart: bars grow up from the axis at y = CHART_HEIGHT + 10.
                "x": 24 + 47 * b,
                "y": CHART_HEIGHT + 10 - height,
                "height": height,
                "tick": f"{10 * b}",
            }
        )
    return bins


def lesson_quiz_report(lesson: Lesson, basis: str = "first") -> LessonQuizReport:
    attempts = counted_attempts([lesson], basis)
    summary = attempts.aggregate(
        n=Count("pk"), learners=Count("learner", distinct=True), average=Avg(_FRACTION)
    )
    first = counted_attempts([lesson], "first").aggregate(average=Avg(_FRACTION))["average"]
    best = counted_attempts([lesson], "best").aggregate(average=Avg(_FRACTION))["average"]
    report = LessonQuizReport(
        lesson=lesson,
        basis=basis,
        learners=summary["learners"] + attempts.filter(learner__isnull=True).count(),
        attempts_counted=summary["n"],
        attempts_total=Attempt.objects.filter(lesson=lesson).count(),
        average=summary["average"],
        median=median_fraction(attempts),
        first_average=first,
        best_average=best,
        histogram=histogram(attempts),
    )
    report.questions = question_stats(lesson, attempts)
    return report


def question_stats(lesson: Lesson, attempts: QuerySet) -> list[QuestionStats]:
    questions = list(lesson.questions.current().prefetch_related("options"))
    answers = AttemptAnswer.objects.filter(attempt__in=attempts, question__in=questions)
    right = Case(
        When(is_correct=True, then=Value(1.0)), default=Value(0.0), output_field=FloatField()
    )
    rest = ExpressionWrapper(F("attempt__score") - right, output_field=FloatField())
    moments = {
        row["question"]: statistics.Moments(
            n=row["n"],
            sum_x=row["sx"] or 0,
            sum_y=row["sy"] or 0,
            sum_xy=row["sxy"] or 0,
            sum_yy=row["syy"] or 0,
        )
        for row in answers.values("question")
        .annotate(
            n=Count("pk"),
            sx=Sum(right),
            sy=Sum(rest),
            sxy=Sum(right * rest),
            syy=Sum(rest * rest),
        )
        .order_by()
    }
    choices = dict(
        Option.answers.through.objects.filter(attemptanswer__in=answers)
        .values_list("option")
        .annotate(count=Count("pk"))
        .order_by()
    )
    upper = _upper_group(attempts)
    upper_choices = dict(
        Option.answers.through.objects.filter(
            attemptanswer__in=answers, attemptanswer__attempt__in=upper
        )
        .values_list("option")
        .annotate(count=Count("pk"))
        .order_by()
    )
    results = []
    for number, question in enumerate(questions, start=1):
        m = moments.get(question.pk, statistics.Moments(0, 0, 0, 0, 0))
        options = [
            {
                "option": option,
                "count": choices.get(option.pk, 0),
                "share": choices.get(option.pk, 0) / m.n if m.n else None,
                "upper_count": upper_choices.get(option.pk, 0),
            }
            for option in question.options.all()
        ]
        upper_right = min((o["upper_count"] for o in options if o["option"].is_correct), default=0)
        upper_wrong = max(
            (o["upper_count"] for o in options if not o["option"].is_correct), default=0
        )
        fac, disc = statistics.facility(m), statistics.discrimination(m)
        results.append(
            QuestionStats(
                question=question,
                number=number,
                n=m.n,
                facility=fac,
                discrimination=disc,
                options=options,
                flags=statistics.flags(
                    facility_index=fac,
                    discrimination_index=disc,
                    upper_correct_choices=upper_right,
                    upper_best_wrong_choices=upper_wrong,
                )
                if m.n
                else [],
            )
        )
    return results


def _upper_group(attempts: QuerySet) -> QuerySet:
    """The strongest 27% of counted attempts by score fraction."""
    n = attempts.count()
    if not n:
        return attempts.none()
    size = max(1, round(n * statistics.UPPER_GROUP_SHARE))
    cut = (
        attempts.annotate(fraction=_FRACTION)
        .order_by("-fraction")
        .values_list("fraction", flat=True)[size - 1]
    )
    return attempts.annotate(fraction=_FRACTION).filter(fraction__gte=cut)


def course_report(course) -> list[dict]:
    """Per lesson: learners who started and completed, completion rate, average and median score."""
    lessons = list(Lesson.objects.published().filter(course=course).order_by("number"))
    progress = {
        row["lesson"]: row
        for row in LessonProgress.objects.filter(lesson__in=lessons)
        .values("lesson")
        .annotate(
            started=Count("pk", filter=Q(started_at__isnull=False)),
            completed=Count("pk", filter=Q(completed_at__isnull=False)),
        )
        .order_by()
    }
    attempts = counted_attempts(lessons)
    scores = {
        row["lesson"]: row
        for row in attempts.values("lesson")
        .annotate(n=Count("pk"), average=Avg(_FRACTION))
        .order_by()
    }
    rows = []
    for lesson in lessons:
        started = progress.get(lesson.pk, {}).get("started", 0)
        completed = progress.get(lesson.pk, {}).get("completed", 0)
        rows.append(
            {
                "lesson": lesson,
                "started": started,
                "completed": completed,
                "completion_rate": completed / started if started else None,
                "attempts": scores.get(lesson.pk, {}).get("n", 0),
                "average": scores.get(lesson.pk, {}).get("average"),
                "median": median_fraction(attempts.filter(lesson=lesson)),
            }
        )
    return rows
