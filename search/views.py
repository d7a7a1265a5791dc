"""The search results page: /search/?q=…&track=…&course=…&page=…"""

from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Paginator
from django.core.validators import ProhibitNullCharactersValidator
from django.http import HttpRequest, HttpResponse

from courses.caching import content_version

from . import page as results_page
from .query import cut_to_limit
from .services import RankedMatches, filter_choices, hits

PER_PAGE = 10


def results(request: HttpRequest) -> HttpResponse:
    text, cut = cut_to_limit(request.GET.get("q", "").strip())
    track = request.GET.get("track", "")[:100]
    course = request.GET.get("course", "")[:100]
    try:  # no track or course name holds a NUL, and PostgreSQL refuses one in a query
        ProhibitNullCharactersValidator()(track + course)
    except ValidationError:
        raise BadRequest("A search filter holds a NUL character.") from None
    tracks, courses = filter_choices()
    chosen_course = next((c for c in courses if course and c.slug == course), None)
    number = request.GET.get("page")
    expected_stop = _page_end(number)
    matches = (
        RankedMatches(text, track=track, course=course, expected_stop=expected_stop) if text else []
    )
    page = Paginator(matches, PER_PAGE).get_page(number)
    region = results_page.region(
        text,
        track=track,
        course=course,
        page=page,
        hits=hits(text, list(page.object_list)),  # the shown page only
        capped=bool(text) and matches.capped,
        scope=results_page.scope(
            track=track, course=course, tracks=tracks, chosen_course=chosen_course
        ),
        cut=cut,
    )
    context = {
        "tracks": tracks,
        "courses": courses,
        # The filters' HTML is cached per content version and choice; a value that is no
        # choice selects nothing, so odd URLs never add cache entries.
        "content_version": content_version(),
        "chosen_track": track if track in tracks else "",
        "chosen_course": chosen_course.slug if chosen_course else "",
    }
    return results_page.respond(request, context, text=text, results=region)


def _page_end(number: str | None) -> int:
    """Where the page asked for ends, so RankedMatches can count from the ranking that page
    needs; only a hint (Paginator decides which page is shown, the last for one past it)."""
    try:
        return PER_PAGE * max(int(number or 1), 1)
    except ValueError:  # not a number (Paginator shows the first page)
        return PER_PAGE
