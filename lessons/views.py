"""The lesson page, and the images lessons reference by relative path.

Signed-in learners get the page rendered for them (it shows their progress). Everyone else
gets one of a few cached renderings, each with its own option order, into which this
request's CSRF token and a fresh one-time quiz token are filled: the same page for thousands
of visitors at the cost of a string replacement, while every quiz attempt stays one-time.
"""

import mimetypes
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import SuspiciousFileOperation
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils._os import safe_join

from courses.caching import PAGE_CACHE_SECONDS, content_version, page_slot
from courses.content.confinement import leaves
from courses.models import Course, Lesson, Question
from quizzes.services import issue_token, present_quiz

from .models import LessonProgress
from .services import touch_lesson

LESSON_IMAGE_TYPES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"})
ANONYMOUS_VARIANTS = 4  # cached renderings per lesson, each with its own option order


def _published_lesson(course: str, lesson: str) -> Lesson:
    return get_object_or_404(
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


def _page_context(lesson: Lesson) -> dict:
    """Everything on the page that is the same for every visitor."""
    course_lessons = list(
        Lesson.objects.published().filter(course=lesson.course).values_list("slug", flat=True)
    )
    position = lesson.catalog_position
    neighbours = {
        neighbour.catalog_position: neighbour
        for neighbour in Lesson.objects.published()
        .filter(catalog_position__in=[position - 1, position + 1])
        .select_related("course")
    }
    return {
        "lesson": lesson,
        "course": lesson.course,
        "sections": lesson.sections.all(),
        "related_lessons": lesson.related.all(),
        "lesson_total": Lesson.objects.published().count(),
        "previous_lesson": neighbours.get(position - 1),
        "next_lesson": neighbours.get(position + 1),
        "course_lesson_refs": " ".join(f"{lesson.course.slug}/{slug}" for slug in course_lessons),
        "course_total": len(course_lessons),
        "completion_text": lesson.course.completion_rule.describe(len(lesson.quiz_questions)),
        "course_completed": 0,
        "course_percent": 0,
        "sections_read": set(),
        "progress": None,
    }


def _shared_context(course: str, lesson: str, version: str) -> dict:
    """The visitor-independent context, cached per content version (a 404 is never cached)."""
    key = f"page:lesson-context:{course}:{lesson}:{version}"
    context = cache.get(key)
    if context is None:
        context = _page_context(_published_lesson(course, lesson))
        context["related_lessons"] = list(context["related_lessons"])
        context["sections"] = list(context["sections"])
        cache.set(key, context, PAGE_CACHE_SECONDS)
    return dict(context)


def lesson_detail(request: HttpRequest, course: str, lesson: str) -> HttpResponse:
    if not request.user.is_authenticated and not get_messages(request):
        return _anonymous_lesson(request, course, lesson)
    version = content_version()
    context = _shared_context(course, lesson, version)
    context["content_version"] = version
    lesson_obj = context["lesson"]
    if lesson_obj.quiz_questions:
        context["quiz"], context["quiz_form_html"] = _learner_quiz(request, lesson_obj, version)
    if request.user.is_authenticated:
        progress = touch_lesson(learner=request.user, lesson=lesson_obj, at=timezone.now())
        completed = LessonProgress.objects.filter(
            learner=request.user,
            lesson__course=lesson_obj.course,
            lesson__is_published=True,
            completed_at__isnull=False,
        ).count()
        total = context["course_total"]
        context.update(
            progress=progress,
            sections_read=set(progress.sections_read),
            course_completed=completed,
            course_percent=round(100 * completed / total) if total else 0,
        )
    return render(request, "lessons/lesson_detail.html", context)


def _learner_quiz(request: HttpRequest, lesson: Lesson, version: str) -> tuple[object, str]:
    """One of the cached renderings of the quiz form, with this learner's one-time token."""
    variant = secrets.randbelow(ANONYMOUS_VARIANTS)
    seed = f"{version}:{variant}"
    csrf_slot, token_slot = page_slot("csrf"), page_slot("quiz-token")
    quiz = present_quiz(questions=lesson.quiz_questions, token=token_slot, seed=seed)
    key = f"page:quiz-form:{lesson.pk}:{version}:{variant}:{request.user.is_authenticated}"
    html = cache.get(key)
    if html is None:
        context = {"quiz": quiz, "lesson": lesson, "course": lesson.course, "csrf_token": csrf_slot}
        html = render_to_string("quizzes/_quiz_form.html", context, request=request)
        cache.set(key, html, PAGE_CACHE_SECONDS)
    question_ids = [question.pk for question in lesson.quiz_questions]
    token = issue_token(
        lesson_id=lesson.pk, question_ids=question_ids, learner=request.user, seed=seed
    )
    return quiz, html.replace(token_slot, token).replace(csrf_slot, get_token(request))


def _anonymous_lesson(request: HttpRequest, course: str, lesson: str) -> HttpResponse:
    csrf_slot, token_slot = page_slot("csrf"), page_slot("quiz-token")
    variant = secrets.randbelow(ANONYMOUS_VARIANTS)
    version = content_version()
    key = f"page:lesson:{course}:{lesson}:{version}:{variant}"
    cached = cache.get(key)
    if cached is None:
        lesson_obj = _published_lesson(course, lesson)  # a 404 is never cached
        context = _page_context(lesson_obj)
        seed = f"{version}:{variant}"
        question_ids = [question.pk for question in lesson_obj.quiz_questions]
        if question_ids:
            context["quiz"] = present_quiz(
                questions=lesson_obj.quiz_questions, token=token_slot, seed=seed
            )
        context["csrf_token"] = csrf_slot
        context["content_version"] = version
        html = render_to_string("lessons/lesson_detail.html", context, request=request)
        cached = (html, lesson_obj.pk, question_ids, seed)
        cache.set(key, cached, PAGE_CACHE_SECONDS)
    html, lesson_id, question_ids, seed = cached
    if question_ids:
        token = issue_token(lesson_id=lesson_id, question_ids=question_ids, learner=None, seed=seed)
        html = html.replace(token_slot, token)
    return HttpResponse(html.replace(csrf_slot, get_token(request)))


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
    if leaves(full_path, settings.CONTENT_DIR) or not full_path.is_file():
        raise Http404("No such file.")
    content_type = mimetypes.guess_type(full_path.name)[0] or "application/octet-stream"
    response = FileResponse(full_path.open("rb"), content_type=content_type)
    # An SVG opened on its own must not run script in our origin.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600"
    return response
