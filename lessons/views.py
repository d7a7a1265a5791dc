"""The lesson page, and the images lessons reference by relative path."""

import mimetypes
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils._os import safe_join

from courses.models import Course
from quizzes.models import Question
from quizzes.services import new_quiz

from .models import Lesson, LessonProgress
from .services import touch_lesson

LESSON_IMAGE_TYPES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"})


def lesson_detail(request: HttpRequest, course: str, lesson: str) -> HttpResponse:
    lesson_obj = get_object_or_404(
        Lesson.objects.published()
        .select_related("course")
        .prefetch_related(
            "sections",
            Prefetch(
                "related",
                queryset=Lesson.objects.published().select_related("course").in_catalog_order(),
            ),
            Prefetch(
                "questions",
                queryset=Question.objects.current().prefetch_related("options"),
                to_attr="quiz_questions",
            ),
        ),
        course__slug=course,
        slug=lesson,
    )
    course_lessons = list(
        Lesson.objects.published().filter(course=lesson_obj.course).values_list("slug", flat=True)
    )
    progress, course_completed = None, 0
    if request.user.is_authenticated:
        progress = touch_lesson(learner=request.user, lesson=lesson_obj, at=timezone.now())
        course_completed = LessonProgress.objects.filter(
            learner=request.user,
            lesson__course=lesson_obj.course,
            lesson__is_published=True,
            completed_at__isnull=False,
        ).count()
    position = lesson_obj.catalog_position
    neighbours = {
        neighbour.catalog_position: neighbour
        for neighbour in Lesson.objects.published()
        .filter(catalog_position__in=[position - 1, position + 1])
        .select_related("course")
    }
    context = {
        "lesson": lesson_obj,
        "course": lesson_obj.course,
        "sections": lesson_obj.sections.all(),
        "related_lessons": lesson_obj.related.all(),
        "quiz": new_quiz(
            lesson=lesson_obj, questions=lesson_obj.quiz_questions, learner=request.user
        )
        if lesson_obj.quiz_questions
        else None,
        "progress": progress,
        "sections_read": set(progress.sections_read) if progress else set(),
        "course_lesson_refs": " ".join(
            f"{lesson_obj.course.slug}/{slug}" for slug in course_lessons
        ),
        "course_completed": course_completed,
        "course_total": len(course_lessons),
        "course_percent": round(100 * course_completed / len(course_lessons))
        if course_lessons
        else 0,
        "lesson_total": Lesson.objects.published().count(),
        "previous_lesson": neighbours.get(position - 1),
        "next_lesson": neighbours.get(position + 1),
    }
    return render(request, "lessons/lesson_detail.html", context)


def asset(request: HttpRequest, course: str, path: str) -> FileResponse:
    """Serves an image that sits beside a published course's lessons, and nothing else."""
    suffix = Path(path).suffix.lower()
    if suffix not in LESSON_IMAGE_TYPES:
        raise Http404("Only images are served from lesson folders.")
    get_object_or_404(Course.objects.published(), slug=course)
    try:
        full_path = Path(safe_join(settings.CONTENT_DIR, course, path))
    except SuspiciousFileOperation:
        raise Http404("No such file.") from None
    if not full_path.is_file():
        raise Http404("No such file.")
    content_type = mimetypes.guess_type(full_path.name)[0] or "application/octet-stream"
    response = FileResponse(full_path.open("rb"), content_type=content_type)
    # An SVG opened on its own must not run script in our origin.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600"
    return response
