"""The catalog and course pages. Anonymous visitors get them from the cache (they carry no
per-visitor content); signed-in learners see their own progress on them."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from courses.caching import PAGE_CACHE_SECONDS, content_version
from courses.models import Course, Lesson

from .models import LessonProgress
from .services import completed_lessons_by_course, continue_with, lesson_refs_by_course


def _with_progress(courses, request: HttpRequest) -> list[Course]:
    """Adds each course's lesson refs (for browser-local progress) and the learner's share."""
    refs = lesson_refs_by_course()
    completed = completed_lessons_by_course(request.user)
    for course in courses:
        course.lesson_refs = " ".join(refs.get(course.pk, []))
        course.completed = completed.get(course.pk, 0)
        course.percent = (
            round(100 * course.completed / course.lesson_count) if course.lesson_count else 0
        )
    return courses


def cached_for_anonymous(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serves a 200 response from the cache, keyed by path and content version."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated or get_messages(request):
            return view(request, *args, **kwargs)
        # The path hashed, as Django's cache middleware does: an address may hold spaces, control
        # characters or thousands of letters, none of which a cache key may.
        path = hashlib.md5(request.path.encode(), usedforsecurity=False).hexdigest()
        key = f"page:{path}:{content_version()}"
        html = cache.get(key)
        if html is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200:
                return response
            html = response.content.decode()
            cache.set(key, html, PAGE_CACHE_SECONDS)
        return HttpResponse(html)

    return wrapped


@dataclass
class Track:
    name: str
    courses: list[Course]

    @property
    def lesson_count(self) -> int:
        return sum(course.lesson_count for course in self.courses)


@cached_for_anonymous
def catalog(request: HttpRequest) -> HttpResponse:
    courses = _with_progress(
        list(Course.objects.published().with_lesson_stats().order_by("order", "slug")), request
    )
    tracks: dict[str, Track] = {}
    for course in courses:  # tracks appear in the order of their first course
        tracks.setdefault(course.track, Track(course.track, [])).courses.append(course)
    return render(
        request,
        "lessons/catalog.html",
        {
            "tracks": list(tracks.values()),
            "course_count": len(courses),
            "lesson_count": sum(course.lesson_count for course in courses),
        },
    )


@cached_for_anonymous
def course_detail(request: HttpRequest, course: str) -> HttpResponse:
    course_obj = get_object_or_404(Course.objects.published().with_lesson_stats(), slug=course)
    _with_progress([course_obj], request)
    lessons = list(Lesson.objects.published().filter(course=course_obj).order_by("number"))
    # Anonymous: the first lesson; the page script moves it on from this browser's progress.
    resume = lessons[0] if lessons else None
    if request.user.is_authenticated:
        progress = {
            row.lesson_id: row
            for row in LessonProgress.objects.filter(learner=request.user, lesson__in=lessons)
        }
        for lesson in lessons:
            lesson.learner_progress = progress.get(lesson.pk)
        resume = continue_with(lessons)
    return render(
        request,
        "lessons/course_detail.html",
        {"course": course_obj, "lessons": lessons, "resume": resume},
    )
