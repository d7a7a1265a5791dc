"""The search results page: /search/?q=…&track=…&course=…&page=…"""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from courses.caching import content_version

from .services import RankedMatches, filter_choices, hits

PER_PAGE = 10
MAX_QUERY_LENGTH = 200


def results(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")[:MAX_QUERY_LENGTH].strip()
    track = request.GET.get("track", "")[:100]
    course = request.GET.get("course", "")[:100]
    tracks, courses = filter_choices()
    matches = RankedMatches(text, track=track, course=course) if text else []
    page = Paginator(matches, PER_PAGE).get_page(request.GET.get("page"))
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
            "hits": hits(text, list(page.object_list)),  # the shown page only
            # The filters' HTML is cached per content version and choice; a value that is no
            # choice selects nothing, so odd URLs never add cache entries.
            "content_version": content_version(),
            "chosen_track": track if track in tracks else "",
            "chosen_course": course if any(c.slug == course for c in courses) else "",
            "searched": bool(text),
            "capped": bool(text) and matches.capped,
        },
    )
