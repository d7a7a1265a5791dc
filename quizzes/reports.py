"""Quiz score reports, aggregated in the database.

Self-paced learners retake quizzes, so every statistic counts one attempt per signed-in learner:
their first, best (highest percentage) or last; a course picks its default in course.md
(``report_basis``), and "first" is the default when it does not. Anonymous attempts cannot be
linked to each other and count one by one. Question statistics cover the current version of
each question only: an edited question starts afresh.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Avg,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Value,
    Window,
)
from django.db.models.functions import Cast, Floor, Least, RowNumber

from lessons.models import Lesson

from . import statistics
from .models import Attempt, AttemptAnswer, Option, Question

BASES = {
    "first": "each learner's first attempt",
    "best": "each learner's best attempt (highest percentage)",
    "last": "each learner's latest attempt",
}
BASIS_REASONS = {
    "first": "a first attempt shows what a learner knew before the quiz's review showed the "
    "answers, so it is the fairest ground for judging questions",
    "best": "the course counts the best a learner has shown, as Moodle's default grading "
    "method (highest grade) does",
    "last": "the course counts where each learner ended up",
}
HISTOGRAM_BINS = 10
CHART_HEIGHT = 180

_FRACTION = ExpressionWrapper(F("score") / Cast("total", FloatField()), output_field=FloatField())
_ORDER = {
    "first": [F("submitted_at").asc(), F("id").asc()],
    # Highest percentage, not highest raw score: a quiz that grew from 15 to 17 questions
    # compares 14/15 (93%) above 15/17 (88%), as the learner's own progress does.
    "best": [_FRACTION.desc(), F("submitted_at").asc(), F("id").asc()],
    "last": [F("submitted_at").desc(), F("id").desc()],
}


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


def medians_by_lesson(attempts: QuerySet) -> dict[int, float]:
    """Each lesson's median score fraction, in one query: only the middle one or two rows of
    each lesson leave the database (a row number and a count per lesson pick them)."""
    rows = (
        Attempt.objects.filter(pk__in=attempts.values("pk"))
        .annotate(
            fraction=_FRACTION,
            position=Window(RowNumber(), partition_by=[F("lesson_id")], order_by=_FRACTION.asc()),
            size=Window(Count("pk"), partition_by=[F("lesson_id")]),
        )
        .filter(
            Q(position=(F("size") + 1) / 2) | Q(position=(F("size") + 2) / 2),
        )
        .values_list("lesson_id", "fraction")
    )
    middle: dict[int, list[float]] = defaultdict(list)
    for lesson_id, fraction in rows:
        middle[lesson_id].append(fraction)
    return {lesson_id: sum(values) / len(values) for lesson_id, values in middle.items()}


def median_fraction(attempts: QuerySet) -> float | None:
    """The median score fraction of one lesson's attempts."""
    return next(iter(medians_by_lesson(attempts).values()), None)


@dataclass
class QuestionStats:
    question: Question
    number: int
    n: int
    facility: float | None
    discrimination: float | None
    efficiency: float | None
    options: list[dict]  # {option, count, share, upper_count}
    flags: list[str]
    section_anchor: str = ""


@dataclass
class LessonQuizReport:
    lesson: Lesson
    basis: str
    default_basis: str
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
    def basis_reason(self) -> str:
        return BASIS_REASONS[self.basis]

    @property
    def is_default_basis(self) -> bool:
        return self.basis == self.default_basis

    @property
    def too_few(self) -> bool:
        return self.attempts_counted < statistics.FEW_LEARNERS


def histogram(attempts: QuerySet) -> list[dict]:
    """Counts of attempts by score, in ten bands of 10 percentage points (100% in the top)."""
    # Floor, not a cast: PostgreSQL rounds a float cast to integer, SQLite truncates. The
    # epsilon keeps a sum of thirds that should be exactly 70% out of the 60s band.
    band = Least(
        Cast(Floor(_FRACTION * HISTOGRAM_BINS + Value(1e-9)), IntegerField()),
        Value(HISTOGRAM_BINS - 1),
    )
    counts = dict(
        attempts.annotate(band=band).values_list("band").annotate(count=Count("pk")).order_by()
    )
    peak = max(counts.values(), default=0)
    scale = _axis_max(peak)
    bins = []
    for b in range(HISTOGRAM_BINS):
        count = counts.get(b, 0)
        height = round(CHART_HEIGHT * count / scale) if scale else 0
        bins.append(
            {
                "label": f"{10 * b}\u2013{10 * b + 9}%"
                if b < HISTOGRAM_BINS - 1
                else "90\u2013100%",
                "count": count,
                # SVG geometry: bars grow up from the axis at y = CHART_HEIGHT + 10.
                "x": 60 + 43 * b,
                "y": CHART_HEIGHT + 10 - height,
                "height": height,
                "tick": f"{10 * b}",
            }
        )
    return bins


def _axis_max(peak: int) -> int:
    """A round top for the count axis (1, 2, 5, 10, 20, 50, ...) at or above the peak."""
    if peak <= 0:
        return 0
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= peak:
                return step * factor
        step *= 10


def axis_ticks(bins: list[dict]) -> list[dict]:
    """Gridlines for the count axis: 0, half and the top, with their SVG y."""
    peak = max((b["count"] for b in bins), default=0)
    top = _axis_max(peak)
    if not top:
        return [{"value": 0, "y": CHART_HEIGHT + 10}]
    values = sorted({0, top // 2, top}) if top >= 2 else [0, top]
    return [{"value": v, "y": CHART_HEIGHT + 10 - round(CHART_HEIGHT * v / top)} for v in values]


def lesson_quiz_report(lesson: Lesson, basis: str | None = None) -> LessonQuizReport:
    default = lesson.course.report_basis
    basis = basis if basis in BASES else default
    attempts = counted_attempts([lesson], basis)
    summary = attempts.aggregate(
        n=Count("pk"),
        learners=Count("learner", distinct=True),
        anonymous=Count("pk", filter=Q(learner__isnull=True)),
        average=Avg(_FRACTION),
    )
    first = counted_attempts([lesson], "first").aggregate(average=Avg(_FRACTION))["average"]
    best = counted_attempts([lesson], "best").aggregate(average=Avg(_FRACTION))["average"]
    bins = histogram(attempts)
    report = LessonQuizReport(
        lesson=lesson,
        basis=basis,
        default_basis=default,
        learners=summary["learners"] + summary["anonymous"],
        attempts_counted=summary["n"],
        attempts_total=Attempt.objects.filter(lesson=lesson).count(),
        average=summary["average"],
        median=median_fraction(attempts),
        first_average=first,
        best_average=best,
        histogram=bins,
    )
    report.questions = question_stats(lesson, attempts)
    return report


def question_stats(lesson: Lesson, attempts: QuerySet) -> list[QuestionStats]:
    questions = list(lesson.questions.current().prefetch_related("options"))
    answers = AttemptAnswer.objects.filter(attempt__in=attempts, question__in=questions)
    # One grouped query gives every question's joint table of (credit, attempt score); the
    # rest of the quiz is the attempt's score minus this question's credit.
    tables: dict[int, dict[tuple[float, float], int]] = defaultdict(dict)
    for question_id, credit, score, count in (
        answers.values_list("question", "credit", "attempt__score")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        key = (credit, round(score - credit, 6))
        table = tables[question_id]
        table[key] = table.get(key, 0) + count
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
        item = statistics.ItemScores(tables.get(question.pk, {}))
        n = item.n
        options = [
            {
                "option": option,
                "count": choices.get(option.pk, 0),
                "share": choices.get(option.pk, 0) / n if n else None,
                "upper_count": upper_choices.get(option.pk, 0),
            }
            for option in question.options.all()
        ]
        upper_right = min((o["upper_count"] for o in options if o["option"].is_correct), default=0)
        upper_wrong = max(
            (o["upper_count"] for o in options if not o["option"].is_correct), default=0
        )
        fac, disc = statistics.facility(item), statistics.discrimination(item)
        results.append(
            QuestionStats(
                question=question,
                number=number,
                n=n,
                facility=fac,
                discrimination=disc,
                efficiency=statistics.discriminative_efficiency(item),
                options=options,
                flags=statistics.flags(
                    facility_index=fac,
                    discrimination_index=disc,
                    upper_correct_choices=upper_right,
                    upper_best_wrong_choices=upper_wrong,
                )
                if n
                else [],
            )
        )
    return results


def _upper_group(attempts: QuerySet) -> QuerySet:
    """The strongest 27% of counted attempts by score fraction (ties at the cut included)."""
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


def course_report(course, basis: str | None = None) -> list[dict]:
    """Per lesson: learners who started and completed, completion rate, average and median
    score, on the course's default basis unless another is asked for."""
    from lessons.models import LessonProgress

    basis = basis if basis in BASES else course.report_basis
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
    attempts = counted_attempts(lessons, basis)
    scores = {
        row["lesson"]: row
        for row in attempts.values("lesson")
        .annotate(n=Count("pk"), average=Avg(_FRACTION))
        .order_by()
    }
    medians = medians_by_lesson(attempts)
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
                "median": medians.get(lesson.pk),
            }
        )
    return rows
