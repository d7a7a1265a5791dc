"""The search results page: /search/?q=…&track=…&course=…&page=…"""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from courses.models import Lesson

from . import engine
from .services import RankedMatches, filter_choices

PER_PAGE = 10
MAX_QUERY_LENGTH = 200


def results(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")[:MAX_QUERY_LENGTH].strip()
    track = request.GET.get("track", "")[:100]
    course = request.GET.get("course", "")[:100]
    tracks, courses = filter_choices()
    matches = RankedMatches(text, track=track, course=course) if text else []
    page = Paginator(matches, PER_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    # Lessons and passages are read for the shown page only.
    lessons = Lesson.objects.select_related("course").in_bulk(shown) if shown else {}
    passages = engine.passages(text, shown)
    hits = [(lessons[pk], passages.get(pk, "")) for pk in shown if pk in lessons]
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
            "capped": bool(text) and matches.capped,
        },
    )
