"""The catalog and course pages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from lessons.models import Lesson

from .models import Course


def catalog(request: HttpRequest) -> HttpResponse:
    courses = Course.objects.published().with_lesson_stats().order_by("order", "slug")
    tracks: dict[str, list[Course]] = {}
    for course in courses:  # tracks appear in the order of their first course
        tracks.setdefault(course.track, []).append(course)
    return render(request, "courses/catalog.html", {"tracks": tracks.items()})


def course_detail(request: HttpRequest, course: str) -> HttpResponse:
    course_obj = get_object_or_404(Course.objects.published().with_lesson_stats(), slug=course)
    lessons = Lesson.objects.published().filter(course=course_obj).order_by("number")
    return render(request, "courses/course_detail.html", {"course": course_obj, "lessons": lessons})
