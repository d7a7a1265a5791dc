"""The search results page: /search/?q=…&track=…&course=…&page=…"""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from courses.models import Course, Lesson

from . import engine

PER_PAGE = 10
MAX_QUERY_LENGTH = 200


def results(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")[:MAX_QUERY_LENGTH].strip()
    track = request.GET.get("track", "")[:100]
    course = request.GET.get("course", "")[:100]
    courses = list(
        Course.objects.published().order_by("order", "slug").only("slug", "title", "track")
    )
    tracks = list(dict.fromkeys(c.track for c in courses))
    ids = engine.ranked_lesson_ids(text, track=track, course=course) if text else []
    page = Paginator(ids, PER_PAGE).get_page(request.GET.get("page"))
    lessons = Lesson.objects.select_related("course").in_bulk(list(page.object_list))
    passages = engine.passages(text, list(page.object_list))
    hits = [(lessons[pk], passages.get(pk, "")) for pk in page.object_list if pk in lessons]
    return render(
        request,
        "search/results.html",
        {
            "q": text,
            "track": track,
            "course": course,
            "tracks": tracks,
            "courses": courses,
            "page": page,
            "hits": hits,
            "searched": bool(text),
        },
    )
