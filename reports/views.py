"""Report pages for instructors and staff: courses, lesson quizzes, attempts, tutor gaps,
plus authoring help (lesson preview, import from the site)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from courses.content.confinement import file_inside, leaves
from courses.content.parser import LESSON_FILE_RE, load_content, parse_lesson
from courses.content.rendering import render_inline, render_markdown
from courses.importer import ContentInvalid, import_content
from courses.models import Course, Lesson
from lessons.models import LessonProgress
from quizzes.models import Attempt
from tutor import services as tutor_services
from tutor.gaps import group_questions
from tutor.models import TutorQuestion

from .csv_export import csv_response, plain_text
from .permissions import reports_required, staff_required
from .queries import (
    BASES,
    BASIS_CHOICES,
    BASIS_REASONS,
    attempts_export,
    axis_ticks,
    course_report,
    lesson_quiz_report,
)

# The most-asked distinct wordings a report groups. Each visitor's repeats are logged once
# (tutor.services.ask), and the database counts the rest, so a flood of questions costs one
# grouped query, never a Python loop over every logged question.
MAX_GAP_WORDINGS = 500


def _percent(value: float | None) -> float | None:
    """A share as a percentage number for CSV (one decimal), empty when there is none."""
    return None if value is None else round(100 * value, 1)


def _round(value: float | None, places: int = 2) -> float | None:
    return None if value is None else round(value, places)


def _basis(request: HttpRequest, course: Course) -> str:
    """The basis asked for in ?basis=, else the course's default from course.md."""
    basis = request.GET.get("basis", "")
    return basis if basis in BASES else course.report_basis


@reports_required
def index(request: HttpRequest) -> HttpResponse:
    courses = Course.objects.published().annotate(
        started=Count("lessons__progress__learner", distinct=True),
        completed=Count(
            "lessons__progress__learner",
            filter=Q(lessons__progress__completed_at__isnull=False),
            distinct=True,
        ),
    )
    return render(request, "reports/index.html", {"courses": courses})


@reports_required
def course(request: HttpRequest, course: str) -> HttpResponse:
    course_obj = get_object_or_404(Course.objects.published(), slug=course)
    basis = _basis(request, course_obj)
    rows = course_report(course_obj, basis)
    learners = LessonProgress.objects.filter(lesson__course=course_obj).aggregate(
        started=Count("learner", distinct=True)
    )["started"]
    lesson_count = len(rows)
    completed = (
        LessonProgress.objects.filter(
            lesson__course=course_obj, lesson__is_published=True, completed_at__isnull=False
        )
        .values("learner")
        .annotate(done=Count("pk"))
        .filter(done=lesson_count)
        .count()
        if lesson_count
        else 0
    )
    if request.GET.get("format") == "csv":
        return csv_response(
            f"{course_obj.slug}-lessons-{basis}.csv",
            [
                "lesson",
                "started",
                "completed",
                "completion rate (%)",
                "attempts counted",
                "average score (%)",
                "median score (%)",
            ],
            (
                [
                    r["lesson"].title,
                    r["started"],
                    r["completed"],
                    _percent(r["completion_rate"]),
                    r["attempts"],
                    _percent(r["average"]),
                    _percent(r["median"]),
                ]
                for r in rows
            ),
        )
    context = {
        "course": course_obj,
        "rows": rows,
        "learners": learners,
        "completed": completed,
        "basis": basis,
        "bases": BASIS_CHOICES,
        "basis_label": BASES[basis],
        "basis_reason": BASIS_REASONS[basis],
        "is_default_basis": basis == course_obj.report_basis,
    }
    return render(request, "reports/course.html", context)


def _lesson(course: str, lesson: str) -> Lesson:
    return get_object_or_404(
        Lesson.objects.select_related("course"), course__slug=course, slug=lesson
    )


@reports_required
def lesson(request: HttpRequest, course: str, lesson: str) -> HttpResponse:
    lesson_obj = _lesson(course, lesson)
    basis = _basis(request, lesson_obj.course)
    report = lesson_quiz_report(lesson_obj, basis)
    headings = dict(lesson_obj.sections.values_list("anchor", "heading"))
    for stats in report.questions:
        stats.section_anchor = stats.question.reread_anchor(headings)

    if request.GET.get("format") == "csv":
        return csv_response(
            f"{lesson_obj.slug}-questions-{basis}.csv",
            [
                "question",
                "prompt",
                "attempts counted",
                "facility (%)",
                "discrimination index",
                "discriminative efficiency (%)",
                "flags",
                "option",
                "correct",
                "times chosen",
            ],
            (
                [
                    s.number,
                    plain_text(s.question.prompt_html),
                    s.n,
                    _percent(s.facility),
                    _round(s.discrimination),
                    _percent(s.efficiency),
                    "; ".join(s.flags),
                    plain_text(option["option"].text_html),
                    option["option"].is_correct,
                    option["count"],
                ]
                for s in report.questions
                for option in s.options
            ),
        )

    tutor_by_section = dict(
        TutorQuestion.objects.filter(lesson=lesson_obj)
        .exclude(section_anchor="")
        .values_list("section_anchor")
        .annotate(count=Count("pk"))
        .order_by()
    )
    sections = []
    for section in lesson_obj.sections.all():
        linked = [s for s in report.questions if s.section_anchor == section.anchor]
        answered = sum(s.n for s in linked)
        # Marks missed: with partial credit a question can be half missed.
        missed = sum(s.n * (1 - (s.facility or 0)) for s in linked)
        sections.append(
            {
                "section": section,
                "questions": [s.number for s in linked],
                "miss_rate": missed / answered if answered else None,
                "tutor_questions": tutor_by_section.get(section.anchor, 0),
            }
        )
    declined = tutor_services.declined_questions(lesson_obj)
    unsure = tutor_services.low_confidence_answers(lesson_obj)
    context = {
        "course": lesson_obj.course,
        "lesson": lesson_obj,
        "report": report,
        "bases": BASIS_CHOICES,
        "axis_ticks": axis_ticks(report.histogram),
        "sections": sections,
        "gaps": group_questions(_gap_wordings(declined))[:30],
        "declined_total": declined.count(),
        "unsure_gaps": group_questions(_gap_wordings(unsure))[:30],
        "unsure_total": unsure.count(),
    }
    return render(request, "reports/lesson.html", context)


def _gap_wordings(declined) -> list[tuple[str, int]]:
    """(wording, times asked) for the most-asked distinct wordings, most asked first."""
    return list(
        declined.values("wording_key")
        .annotate(text=Min("question"), times=Count("pk"), latest=Max("asked_at"))
        .order_by("-times", "-latest")
        .values_list("text", "times")[:MAX_GAP_WORDINGS]
    )


@reports_required
def gaps(request: HttpRequest, course: str, lesson: str) -> HttpResponse:
    """Tutor gaps as CSV: what learners asked that the lesson does not answer (declined), then
    what the tutor answered with low confidence."""
    lesson_obj = _lesson(course, lesson)
    declined = tutor_services.declined_questions(lesson_obj)
    unsure = tutor_services.low_confidence_answers(lesson_obj)
    groups = [
        *((g, "declined") for g in group_questions(_gap_wordings(declined))),
        *((g, "low confidence") for g in group_questions(_gap_wordings(unsure))),
    ]
    return csv_response(
        f"{lesson_obj.slug}-tutor-gaps.csv",
        ["question", "times asked", "other wordings", "tutor"],
        ([g.wording, g.count, " | ".join(g.examples), why] for g, why in groups),
    )


@reports_required
def attempts(request: HttpRequest, course: str, lesson: str) -> HttpResponse:
    """Every learner's quiz attempts for one lesson, newest first, with a CSV export."""
    lesson_obj = _lesson(course, lesson)
    if request.GET.get("format") == "csv":
        return csv_response(
            f"{lesson_obj.slug}-attempts.csv",
            ["learner", "submitted at (UTC)", "score", "total", "score (%)"],
            (
                [
                    username or "(anonymous)",
                    submitted_at,
                    int(score) if score == int(score) else round(score, 2),
                    total,
                    _percent(score / total if total else None),
                ]
                for username, submitted_at, score, total in attempts_export(lesson_obj).iterator(
                    chunk_size=2000
                )
            ),
        )
    rows = (
        Attempt.objects.filter(lesson=lesson_obj)
        .select_related("learner")
        .defer("snapshot")  # large, and the page does not show it
        .order_by("-submitted_at")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {"course": lesson_obj.course, "lesson": lesson_obj, "page": page}
    return render(request, "reports/attempts.html", context)


# ---------------------------------------------------------------------------------------------
# Authoring help
# ---------------------------------------------------------------------------------------------
@reports_required
def preview(request: HttpRequest) -> HttpResponse:
    """Any lesson file under CONTENT_DIR as it would render, with its problems at their lines."""
    root = Path(settings.CONTENT_DIR)
    files = sorted(str(p.relative_to(root)) for p in root.glob("*/*.md") if not leaves(p, root))
    selected = request.GET.get("path", "")
    context: dict = {"files": files, "selected": selected}
    if selected:
        path = file_inside(root, selected) if Path(selected).suffix == ".md" else None
        if path is None:
            raise Http404("No such lesson file.")
        # The file on its own (so one broken sibling does not hide it), plus what only the
        # whole tree can tell (related lessons that do not exist, duplicate slugs).
        own: list = []
        match = LESSON_FILE_RE.match(path.name)
        lesson = (
            parse_lesson(path, path.parent.name, int(match["number"]), match["slug"], own)
            if match
            else None
        )
        _, problems = load_content(root)
        own += [p for p in problems if Path(p.path).resolve() == path.resolve() and p not in own]
        source_lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        context.update(
            {
                "problems": [
                    {
                        "line": p.line,
                        "message": p.message,
                        "source": source_lines[p.line - 1]
                        if 0 < p.line <= len(source_lines)
                        else "",
                    }
                    for p in own
                ],
                "other_problems": len(
                    [p for p in problems if Path(p.path).resolve() != path.resolve()]
                ),
                "lesson": lesson,
                "sections": [
                    {"heading": s.heading, "anchor": s.anchor, "html": render_markdown(s.markdown)}
                    for s in lesson.sections
                ]
                if lesson
                else [],
                "key_terms": [(t.term, render_inline(t.definition)) for t in lesson.key_terms]
                if lesson
                else [],
                "questions": [
                    {
                        "prompt": render_inline(q.prompt),
                        "multiple": q.is_multiple,
                        "see": q.see_anchor,
                        "explanation": render_markdown(q.explanation) if q.explanation else "",
                        "options": [(render_inline(o.text), o.is_correct) for o in q.options],
                    }
                    for q in lesson.questions
                ]
                if lesson
                else [],
            }
        )
    return render(request, "reports/preview.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def run_import(request: HttpRequest) -> HttpResponse:
    context: dict = {"root": settings.CONTENT_DIR}
    if request.method == "POST":
        try:
            report = import_content(Path(settings.CONTENT_DIR))
            context["report_lines"] = report.lines()
        except ContentInvalid as error:
            context["problems"] = [str(p) for p in error.problems]
    return render(request, "reports/import.html", context)
