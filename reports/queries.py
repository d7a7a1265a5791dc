"""Quiz score reports, aggregated in the database.

Self-paced learners retake quizzes, so every statistic counts one attempt per signed-in learner:
their first, best (highest percentage) or last; a course picks its default in course.md
(``report_basis``), and "first" is the default when it does not. Anonymous attempts cannot be
linked to each other and count one by one. Question statistics cover the current version of
each question only: an edited question starts afresh.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    CharField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Window,
)
from django.db.models.functions import Cast, RowNumber

from courses.models import Lesson, Question
from lessons.models import LessonProgress
from quizzes.models import Attempt, AttemptAnswer

from . import statistics

# Which attempt of each learner counts, as the "Count each learner's" select offers it (short
# enough to read in full on a 375 px phone), and as the report's sentences name it (BASES).
BASIS_CHOICES = {
    "first": "first attempt",
    "best": "best attempt (highest percentage)",
    "last": "latest attempt",
}
BASES = {basis: f"each learner's {choice}" for basis, choice in BASIS_CHOICES.items()}
BASIS_REASONS = {
    "first": "a first attempt shows what a learner knew before the quiz's review showed the "
    "answers, so it is the fairest ground for judging questions",
    "best": "the course counts the best a learner has shown, as Moodle's default grading "
    "method (highest grade) does",
    "last": "the course counts where each learner ended up",
}
HISTOGRAM_BINS = 10
CHART_HEIGHT = 160  # the tallest bar; room above it for its count
CHART_BASE = 190  # the SVG y of the score axis

_FRACTION = ExpressionWrapper(F("score") / Cast("total", FloatField()), output_field=FloatField())
_ORDER = {
    "first": [F("submitted_at").asc(), F("id").asc()],
    # Highest percentage, not highest raw score: a quiz that grew from 15 to 17 questions
    # compares 14/15 (93%) above 15/17 (88%), as the learner's own progress does.
    "best": [_FRACTION.desc(), F("submitted_at").asc(), F("id").asc()],
    "last": [F("submitted_at").desc(), F("id").desc()],
}


def _ranked(lessons, basis: str) -> QuerySet:
    """Each signed-in learner's counted attempt per lesson.

    Read from the index on (lesson, learner, submitted_at, score, total); on the first basis the
    answers-seen flag is read too. The large snapshots are never touched.
    """
    return (
        _attempts(basis)
        .filter(lesson__in=lessons, learner__isnull=False, total__gt=0)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("learner_id"), F("lesson_id")], order_by=_ORDER[basis]
            )
        )
        .filter(rank=1)
    )


def _attempts(basis: str) -> QuerySet:
    """The attempts a basis may count. A "first" attempt is one made before the learner had seen
    the quiz's answers: one who read them (say, in an anonymous review before signing up) has
    no first attempt to count."""
    attempts = Attempt.objects.all()
    return attempts.before_answers_seen() if basis == "first" else attempts


def _anonymous(lessons, basis: str) -> QuerySet:
    return _attempts(basis).filter(lesson__in=lessons, learner__isnull=True, total__gt=0)


class UtcSecond(Func):
    """A timestamp as the text ``YYYY-MM-DD HH:MM:SS`` in UTC, written by the database (SQLite or
    PostgreSQL), so an export of every attempt neither parses nor formats a datetime per row."""

    arity = 1
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        # Django keeps SQLite datetimes as UTC text: 'YYYY-MM-DD HH:MM:SS[.ffffff]'.
        template = "substr(%(expressions)s, 1, 19)"
        return super().as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
        return super().as_sql(compiler, connection, template=template, **extra)


def attempts_export(lesson: Lesson) -> QuerySet:
    """(username or None, submitted at in UTC as text, score, total) for each of the lesson's
    attempts, newest first; read from the attempt_export_cover index alone."""
    return (
        Attempt.objects.filter(lesson=lesson)
        .order_by("-submitted_at")
        .values_list("learner__username", UtcSecond("submitted_at"), "score", "total")
    )


def counted_filter(field: str, lessons, basis: str) -> Q:
    """``field`` (an attempt id) is one of the counted attempts."""
    return Q(**{f"{field}__in": _ranked(lessons, basis).values("pk")}) | Q(
        **{f"{field}__in": _anonymous(lessons, basis).values("pk")}
    )


def counted_attempts(lessons: QuerySet | list[Lesson], basis: str = "first") -> QuerySet:
    """One attempt per signed-in learner and lesson (by ``basis``), plus anonymous attempts."""
    return Attempt.objects.filter(counted_filter("pk", lessons, basis))


def counted_scores(lessons, basis: str) -> dict[int, list[tuple[float, int]]]:
    """Per lesson, the counted attempts' score fractions as (fraction, number of attempts)."""
    counts: dict[tuple[int, float, int], int] = defaultdict(int)
    for query in (_ranked(lessons, basis), _anonymous(lessons, basis)):
        for row in query.values_list("lesson_id", "score", "total"):
            counts[row] += 1
    by_lesson: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for (lesson_id, score, total), count in counts.items():
        by_lesson[lesson_id].append((score / total, count))
    return by_lesson


def _median(counts: list[tuple[float, int]]) -> float | None:
    """The median of values given as (value, count); the mean of the middle two on an even n."""
    counts = sorted(counts)
    n = sum(count for _, count in counts)
    if not n:
        return None
    wanted = [(n - 1) // 2, n // 2]  # 0-based positions of the middle one or two
    found, seen = [], 0
    for value, count in counts:
        while wanted and wanted[0] < seen + count:
            found.append(value)
            wanted.pop(0)
        seen += count
    return sum(found) / len(found)


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


def band_of(fraction: float) -> int:
    """The histogram band of a score fraction: 0 for 0-9%, ..., 9 for 90-100%."""
    # The epsilon keeps a sum of thirds that should be exactly 70% out of the 60s band.
    return min(math.floor(fraction * HISTOGRAM_BINS + 1e-9), HISTOGRAM_BINS - 1)


def histogram(fractions: list[tuple[float, int]]) -> list[dict]:
    """Counts of attempts by score, in ten bands of 10 percentage points (100% in the top)."""
    counts: dict[int, int] = defaultdict(int)
    for fraction, count in fractions:
        counts[band_of(fraction)] += count
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
                # SVG geometry: bars grow up from the axis at y = CHART_BASE.
                "x": 60 + 43 * b,
                "y": CHART_BASE - height,
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
        return [{"value": 0, "y": CHART_BASE}]
    values = sorted({0, top // 2, top}) if top >= 2 else [0, top]
    return [{"value": v, "y": CHART_BASE - round(CHART_HEIGHT * v / top)} for v in values]


def _average(fractions: list[tuple[float, int]]) -> float | None:
    n = sum(count for _, count in fractions)
    return sum(value * count for value, count in fractions) / n if n else None


def lesson_quiz_report(lesson: Lesson, basis: str | None = None) -> LessonQuizReport:
    default = lesson.course.report_basis
    basis = basis if basis in BASES else default
    # Every score figure comes from the distribution of counted score fractions.
    fractions = counted_scores([lesson], basis).get(lesson.pk, [])
    n = sum(count for _, count in fractions)
    other = {
        other_basis: _average(
            fractions
            if other_basis == basis
            else counted_scores([lesson], other_basis).get(lesson.pk, [])
        )
        for other_basis in ("first", "best")
    }
    report = LessonQuizReport(
        lesson=lesson,
        basis=basis,
        default_basis=default,
        # One counted attempt per signed-in learner, and each anonymous one: as many learners.
        learners=n,
        attempts_counted=n,
        attempts_total=Attempt.objects.filter(lesson=lesson).count(),
        average=_average(fractions),
        median=_median(fractions),
        first_average=other["first"],
        best_average=other["best"],
        histogram=histogram(fractions),
    )
    report.questions = question_stats(lesson, basis, _upper_cut(fractions))
    return report


def _upper_cut(fractions: list[tuple[float, int]]) -> float | None:
    """The lowest score fraction in the strongest 27% of counted attempts (ties included)."""
    n = sum(count for _, count in fractions)
    if not n:
        return None
    size = max(1, round(n * statistics.UPPER_GROUP_SHARE))
    seen = 0
    for value, count in sorted(fractions, reverse=True):
        seen += count
        if seen >= size:
            return value
    return None


def question_stats(lesson: Lesson, basis: str, upper_cut: float | None) -> list[QuestionStats]:
    questions = list(lesson.questions.current().prefetch_related("options"))
    # One grouped query over the answers' covering index gives, per question, how many counted
    # attempts earned each credit with each attempt score and chose each set of options.
    tables: dict[int, dict[tuple[float, float], int]] = defaultdict(dict)
    choices: dict[int, int] = defaultdict(int)
    upper_choices: dict[int, int] = defaultdict(int)
    for question_id, credit, score, total, chosen, count in (
        AttemptAnswer.objects.filter(
            counted_filter("attempt_id", [lesson], basis), question__in=questions
        )
        .values_list("question", "credit", "attempt_score", "attempt_total", "chosen")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        key = (credit, round(score - credit, 6))  # the rest of the quiz: score minus this one
        table = tables[question_id]
        table[key] = table.get(key, 0) + count
        upper = upper_cut is not None and total and score / total >= upper_cut
        for option in filter(None, chosen.split(",")):
            choices[int(option)] += count
            if upper:
                upper_choices[int(option)] += count
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


def course_report(course, basis: str | None = None) -> list[dict]:
    """Per lesson: learners who started and completed, completion rate, average and median
    score, on the course's default basis unless another is asked for."""
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
    by_lesson = counted_scores(lessons, basis)
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
                "attempts": sum(count for _, count in by_lesson.get(lesson.pk, [])),
                "average": _average(by_lesson.get(lesson.pk, [])),
                "median": _median(by_lesson.get(lesson.pk, [])),
            }
        )
    return rows
