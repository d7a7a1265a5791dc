"""Progress endpoints: sync from the browser, and the "My learning" page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import jsonbody
from courses.models import Course, Lesson

from .models import LessonProgress
from .progress import PayloadError, parse_payload
from .services import continue_with, learner_state, sync_progress

MAX_SYNC_BYTES = 64 * 1024


@require_POST
def sync(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        return JsonResponse({"error": "Sign in to sync progress."}, status=403)
    if request.content_type != "application/json":
        return JsonResponse({"error": "Send JSON (Content-Type: application/json)."}, status=400)
    if (
        int(request.META.get("CONTENT_LENGTH") or 0) > MAX_SYNC_BYTES
        or len(request.body) > MAX_SYNC_BYTES
    ):
        return JsonResponse({"error": "The payload is larger than 64 KB."}, status=400)
    try:
        data = jsonbody.parse(request.body)
    except jsonbody.BadJson as error:
        return JsonResponse({"error": str(error)}, status=400)
    try:
        now = timezone.now()
        payload = parse_payload(data, now=now)
        changed = sync_progress(learner=request.user, payload=payload, now=now)
    except PayloadError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse({"changed": changed, "lessons": learner_state(request.user)})


@login_required
def my_learning(request: HttpRequest) -> HttpResponse:
    progress_rows = LessonProgress.objects.filter(
        learner=request.user, lesson__is_published=True
    ).select_related("lesson")
    by_lesson = {row.lesson_id: row for row in progress_rows}
    course_ids = {row.lesson.course_id for row in progress_rows}
    courses = (
        Course.objects.published().filter(pk__in=course_ids).prefetch_related("lessons__sections")
    )
    entries = []
    for course in courses:
        lessons = sorted(
            (lesson for lesson in course.lessons.all() if lesson.is_published),
            key=lambda lesson: lesson.number,
        )
        completed = [
            lesson
            for lesson in lessons
            if lesson.pk in by_lesson and by_lesson[lesson.pk].completed_at
        ]
        entries.append(
            {
                "course": course,
                "lessons": [(lesson, by_lesson.get(lesson.pk)) for lesson in lessons],
                "completed": len(completed),
                "total": len(lessons),
                "percent": round(100 * len(completed) / len(lessons)) if lessons else 0,
                "resume": _resume_link(lessons, by_lesson),
            }
        )
    return render(request, "lessons/my_learning.html", {"entries": entries})


def _resume_link(
    lessons: list[Lesson], by_lesson: dict[int, LessonProgress]
) -> tuple[Lesson, str] | None:
    """The first unread section of the lesson the course page's Continue link names (the one
    last visited if unfinished, else the next unfinished one), so both pages agree."""
    for lesson in lessons:
        lesson.learner_progress = by_lesson.get(lesson.pk)
    lesson = continue_with(lessons)
    if lesson is None:
        return None
    read = set(lesson.learner_progress.sections_read) if lesson.learner_progress else set()
    for section in lesson.sections.all():
        if section.anchor not in read:
            return lesson, section.anchor
    return lesson, "quiz"
