"""The results page as HTML, for most visitors at the cost of a few string joins.

A search changes two things on the page: the region under the form (summary, cards, pager),
and the query shown in the title and the two search boxes. The region is built here in Python
(`region`): by template tags it cost more CPU than the ranking query behind it. The rest (the
site's header and footer, the form and its filters) is the same for every anonymous visitor,
so search/results.html renders it once per content version and filter choice, with slots where
a search's own values go (`Frame`), and each process keeps it, as the lesson page keeps its
shared parts; a request fills the slots. Signed-in visitors, and requests carrying messages,
get the template rendered for them around the same region.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from django.contrib.messages import get_messages
from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from core.frames import Frame, FrameStore, page_slot

from .query import MAX_QUERY_LENGTH, terms

if TYPE_CHECKING:
    from .services import CourseChoice

TEMPLATE = "search/results.html"
SLOTS = ("q", "site_q", "results")  # the template's variables a frame leaves open
QUOTED_WORDS, QUOTED_CHARS = 8, 60  # how much of the search the count line quotes
MAX_FRAMES = 256  # one per filter choice and query state; a few KB each


@dataclass(frozen=True)
class Pager:
    """The page links under the cards: query strings (already HTML-escaped) or ""."""

    number: int
    pages: int
    previous: str
    next: str


_TYPE_A_WORD = "Type a word or two: titles and key terms rank first."


def summary(
    text: str,
    *,
    total: int,
    capped: bool,
    number: int,
    pages: int,
    filtered: bool,
    scope: str = "",
) -> str:
    """The sentence above the cards (plain text): how many lessons match ``text``, and where
    (``scope``, the filters' choices in words) when the search was narrowed."""
    if not text:
        return _TYPE_A_WORD
    # The box above holds the whole search; the sentence names it in a few words.
    text = quoted(text)
    where = f" in {scope}" if scope else ""
    if capped:
        return (
            f"More than {total} lessons{where} match “{text}”; the best {total} are shown, page "
            f"{number} of {pages}. Add a word or a filter to narrow them."
        )
    if total == 1:
        return f"1 lesson{where} matches “{text}”."
    if total:
        page_of = f"; page {number} of {pages}" if pages > 1 else ""
        return f"{total} lessons{where} match “{text}”{page_of}."
    if not terms(text):  # only punctuation: fewer or other words would not help
        return f"“{text}” has no letters or digits to search for. {_TYPE_A_WORD}"
    narrowed = " with these filters" if filtered and not scope else ""
    return f"No lesson{where} matches “{text}”{narrowed}. Try fewer or other words."


def quoted(text: str) -> str:
    """``text`` as the count line quotes it: its first QUOTED_WORDS words, then at most
    QUOTED_CHARS characters, as Django's Truncator cuts them. A search that needs no cut
    (most) is only rejoined: Truncator cost about 50 µs even then, a translation looked up
    for the ellipsis it would add."""
    words = text.split()
    if len(words) <= QUOTED_WORDS:
        joined = " ".join(words)
        if len(joined) <= QUOTED_CHARS and joined.isascii():  # NFC and no combining marks
            return joined
    return Truncator(Truncator(text).words(QUOTED_WORDS)).chars(QUOTED_CHARS)


def scope(
    *, track: str, course: str, tracks: Sequence[str], chosen_course: CourseChoice | None
) -> str:
    """The filters in words ("the Methods track", "the course Probes"), or "" when there are
    none or one is no choice the form offers (then nothing can match, and naming it would
    only repeat an odd URL)."""
    if (track and track not in tracks) or (course and chosen_course is None):
        return ""
    if chosen_course is None:
        return f"the {track} track" if track else ""
    named = f"the course {chosen_course.title}"
    if track and track != chosen_course.track:  # nothing matches both; say both
        return f"{named} and the {track} track"
    return named


def clear_filter_link(*, text: str, track: str, course: str) -> str:
    """A link to the same search without its filters (HTML), or "" when none is set."""
    if not (track or course):
        return ""
    everything = {(True, False): "tracks", (False, True): "courses"}.get(
        (bool(track), bool(course)), "courses and tracks"
    )
    return _CLEAR.format(quote(text), everything)


def pager(page: Page, *, text: str, track: str, course: str) -> Pager | None:
    """Links to the neighbouring pages, keeping the query and filters as they were typed."""
    if not page.has_other_pages():
        return None
    # Every character but "/" is percent-encoded, so the query string needs no escaping
    # beyond its separators.
    base = f"?q={quote(text)}&amp;track={quote(track)}&amp;course={quote(course)}&amp;page="
    previous = f"{base}{page.number - 1}" if page.has_previous() else ""
    following = f"{base}{page.number + 1}" if page.has_next() else ""
    return Pager(page.number, page.paginator.num_pages, previous, following)


def region(
    text: str,
    *,
    track: str,
    course: str,
    page: Page,
    hits: Sequence[object],
    capped: bool,
    scope: str = "",
    cut: bool = False,
) -> SafeString:
    """The results region's HTML: summary (with a note when the query was ``cut`` to
    MAX_QUERY_LENGTH, and a link clearing the filters), cards (each renders itself), pager."""
    total = page.paginator.count if text else 0
    sentence = summary(
        text,
        total=total,
        capped=capped,
        number=page.number,
        pages=page.paginator.num_pages,
        filtered=bool(track or course),
        scope=scope,
    )
    line = escape(sentence)
    if text:
        if cut:
            line = _CUT_NOTE + line
        # No link to search everything for a search without words: it would find nothing.
        if terms(text) and (links := clear_filter_link(text=text, track=track, course=course)):
            line = f"{line} {links}"
    # One live region: the live search swaps its content, so screen readers hear all of it.
    parts = [_SUMMARY.format(line)]
    if hits:
        parts += [_HITS_START, *(conditional_escape(hit) for hit in hits), _HITS_END]
    links = pager(page, text=text, track=track, course=course) if text else None
    if links is not None:
        parts.append(_PAGER_START)
        if links.previous:
            parts.append(_PREVIOUS.format(links.previous))
        parts.append(_PAGE_OF.format(links.number, links.pages))
        if links.next:
            parts.append(_NEXT.format(links.next))
        parts.append(_PAGER_END)
    return mark_safe("".join(parts))


_SUMMARY = '\n    <p class="search-summary" role="status" data-search-summary>{}</p>'
_CUT_NOTE = (
    '<span class="search-summary__note">Only the first '
    f"{MAX_QUERY_LENGTH} characters of your search were used.</span> "
)
_CLEAR = '<a href="?q={}" data-clear-filter>Search all {}</a>'
_HITS_START = '\n    <ol class="search-hits" role="list">\n      '
_HITS_END = "\n    </ol>"
_PAGER_START = '\n    <nav class="pager" aria-label="Result pages">'
_PREVIOUS = '\n      <a rel="prev" href="{}">Previous<span class="visually-hidden"> page</span></a>'
_PAGE_OF = '\n      <span aria-current="page">Page {} of {}</span>'
_NEXT = '\n      <a rel="next" href="{}">Next<span class="visually-hidden"> page</span></a>'
_PAGER_END = "\n    </nav>"


FRAMES = FrameStore(MAX_FRAMES)


def _frame(request: HttpRequest, context: dict, *, searched: bool) -> Frame:
    version = context["content_version"]
    # The path is in the key because the header's sign-in links carry it back.
    key = (request.path, str(searched), context["chosen_track"], context["chosen_course"])
    frame = FRAMES.get(version, key)
    if frame is None:
        # Slots derive from SECRET_KEY (core.frames.page_slot), so no course title or
        # query can spell one; the query slot is left empty when there is no query, so the
        # title reads "Search" as the template has it.
        slots = {name: page_slot(f"search-{name}") for name in SLOTS}
        if not searched:
            del slots["q"]
        values = {"q": "", **{name: mark_safe(marker) for name, marker in slots.items()}}
        frame = Frame(render_to_string(TEMPLATE, context | values, request=request), slots)
        FRAMES.keep(version, key, frame)
    return frame


def respond(request: HttpRequest, context: dict, *, text: str, results: SafeString) -> HttpResponse:
    """The results page: ``context`` is the template's, without the three slotted values."""
    site_q = request.GET.get("q", "")[:MAX_QUERY_LENGTH]
    if request.user.is_authenticated or get_messages(request):
        values = {"q": text, "site_q": site_q, "results": results}
        return render(request, TEMPLATE, context | values)
    frame = _frame(request, context, searched=bool(text))
    return HttpResponse(
        frame.fill({"q": escape(text), "site_q": escape(site_q), "results": results})
    )
