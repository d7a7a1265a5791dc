"""What the results page needs, each part costing as little as the catalog allows.

The filter choices are kept in each process, and (with SEARCH_CACHE_RESULTS) each page of
ranked ids in Django's cache, both under the content version (courses/caching.py), so a new
import changes every key at once and nothing from the old content is served; a repeated
search then costs no ranking query at all.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString

from courses.caching import PAGE_CACHE_SECONDS, content_version
from courses.models import Course

from . import engine, passages, query
from .models import SearchCard, SearchDocument


@dataclass(frozen=True)
class CourseChoice:
    slug: str
    title: str
    track: str


# Plain SQL: the same read through the ORM cost more CPU than the rest of the card. On
# PostgreSQL the card holds the body too (one table, no join: less of the server's CPU); on
# SQLite it is read from the document.
_CARD_COLUMNS = (
    "c.lesson_id, c.lesson_slug, c.title, c.minutes, c.course_slug, c.course_title, c.track"
)
_CARDS_SQL = {
    "postgresql": f"SELECT {_CARD_COLUMNS}, c.body "  # noqa: S608
    f"FROM {SearchCard._meta.db_table} c WHERE c.lesson_id IN ({{placeholders}})",
    "sqlite": f"SELECT {_CARD_COLUMNS}, d.body "  # noqa: S608
    f"FROM {SearchCard._meta.db_table} c "
    f"LEFT JOIN {SearchDocument._meta.db_table} d ON d.lesson_id = c.lesson_id "
    "WHERE c.lesson_id IN ({placeholders})",
}


def card(
    *, title: str, url: str, course: str, track: str, minutes: int | None, passage: str
) -> SafeString:
    """One result card as HTML, every value escaped but ``passage`` (HTML from
    `search.passages.passage`, which escapes the lesson's text). Built here rather than by
    template tags, which took a third of the results page's rendering for ten cards (about 10
    variable lookups each), and by plain formatting with html.escape (what Django's escape
    runs) rather than format_html, which cost as much again."""
    meta = f"{course} · {track}" + (f" · {minutes} min" if minutes else "")
    passage = _PASSAGE.format(passage) if passage else ""
    return SafeString(
        _CARD.format(html.escape(url), html.escape(title), html.escape(meta), passage)
    )


_CARD = (
    '<li class="card search-hit"><h2 class="card__title"><a href="{}">{}</a></h2>'
    '<p class="meta">{}</p>{}</li>'
)
_PASSAGE = '<p class="search-hit__passage">{}</p>'


@lru_cache(maxsize=8)
def _lesson_url_parts(script_prefix: str) -> tuple[str, str, str]:
    """A lesson's URL around its course and lesson slugs, reversed once per script prefix:
    slugs are URL-safe, so they go into the pattern as they are."""
    url = reverse("lessons:detail", kwargs={"course": "_c_", "lesson": "_l_"})
    before, rest = url.split("_c_")
    between, after = rest.split("_l_")
    return before, between, after


def hits(text: str, ids: list[int]) -> list[SafeString]:
    """The cards (`card`) of one page of ranked ids, in their order: one small query, the
    columns the card shows (copied from the lesson and its course at import, `SearchCard`) and
    the searchable text the passage is cut from."""
    matcher = passages.Matcher.for_words(query.terms(text))
    if not ids or matcher is None:
        return []
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(_CARDS_SQL[connection.vendor].format(placeholders=placeholders), ids)
        rows = {row[0]: row for row in cursor.fetchall()}
    before, between, after = _lesson_url_parts(get_script_prefix())
    cards = []
    for pk in ids:
        if pk not in rows:
            continue
        _pk, slug, title, minutes, course_slug, course_title, track, body = rows[pk]
        cards.append(
            card(
                title=title,
                url=f"{before}{course_slug}{between}{slug}{after}",
                course=course_title,
                track=track,
                minutes=minutes,
                passage=passages.passage(body or "", matcher),
            )
        )
    return cards


def filter_choices() -> tuple[tuple[str, ...], tuple[CourseChoice, ...]]:
    """The tracks and published courses offered by the filters, in catalog order."""
    return filter_choices_for(content_version())


# In each process rather than in Django's cache: unpickling the choices from the cache cost
# more than the rest of the view's own work.
@lru_cache(maxsize=2)
def filter_choices_for(version: str) -> tuple[tuple[str, ...], tuple[CourseChoice, ...]]:
    rows = Course.objects.published().order_by("order", "slug")
    courses = tuple(CourseChoice(*row) for row in rows.values_list("slug", "title", "track"))
    return tuple(dict.fromkeys(c.track for c in courses)), courses


class RankedMatches:
    """The matches of a search as a lazy sequence for Django's Paginator.

    Paginator asks for ``count()`` and then one slice. Both start from the first ranking
    group's best SEARCH_MAX_RESULTS + 1 ids, one query: ranking every match of a group costs
    the database the same whatever the limit, and a common word fills it past the cap, so then
    the count ("more than cap") and every page offered come from that list alone. Otherwise,
    on PostgreSQL, when the slice the caller expects (``expected_stop``, its page's end)
    reaches past the first group, the body tier is ranked once for the cap + 1 matches counted
    (the first group's and its own), and the count and every page offered come from those two
    lists: the page needs that ranking anyway, and asking it for the cap's worth rather than a
    page costs the database next to nothing more (it scores every match of the tier either
    way), where a count of its own was one more statement and round trip
    (docs/benchmarks-history.md, session 12, `pgsearch`). Otherwise the count is one small
    query, stopping at the cap, and a page past the first group reads the later groups' slice.
    With SEARCH_CACHE_RESULTS the count and each slice are cached.
    """

    def __init__(
        self, text: str, *, track: str = "", course: str = "", expected_stop: int = 0
    ) -> None:
        self.text, self.track, self.course = text, track, course
        self._expected_stop = expected_stop
        words = "\x1f".join(query.terms(text))
        digest = hashlib.sha256(f"{words}\x1e{track}\x1e{course}".encode()).hexdigest()
        self._key = f"search:{content_version()}:{digest}"
        self._cached = settings.SEARCH_CACHE_RESULTS
        self._cap = settings.SEARCH_MAX_RESULTS
        self._total: int | None = None
        self._first: list[int] | None = None
        self._rest: list[int] | None = None

    def _first_ids(self) -> list[int]:
        """The first group's best cap + 1 ids (`engine.groups`: the title tier, or on PostgreSQL
        the title and key-term tiers): all of it when there are no more than the cap."""
        if self._first is None:
            self._first = engine.ranked_group_ids(
                self.text, group=0, track=self.track, course=self.course, limit=self._cap + 1
            )
        return self._first

    def _rest_ids(self) -> list[int]:
        """The best ids ranked after the first group, as many as make the cap + 1 matches
        counted with it (so all of them when the two hold no more than the cap)."""
        if self._rest is None:
            first = self._first_ids()
            self._rest = engine.ranked_after_first_group(
                self.text,
                known=first,
                track=self.track,
                course=self.course,
                offset=0,
                limit=self._cap + 1 - len(first),
            )
        return self._rest

    def _count(self) -> int:
        """Matches counted up to cap + 1 (so above the cap it reads cap + 1)."""
        if self._total is None:
            key = f"{self._key}:count:{self._cap}"
            total = cache.get(key) if self._cached else None
            if total is None:
                first = self._first_ids()
                if len(first) > self._cap:
                    total = len(first)
                elif self._expected_stop > len(first) and len(engine.groups()) == 2:
                    # The page ranks the later groups, in one statement (PostgreSQL's body
                    # tier): it counts them too. On SQLite they are two, and a page that the
                    # first group ends would rank both for no more than a count's work.
                    total = len(first) + len(self._rest_ids())
                else:
                    # A statement of its own: folded into one that runs anyway (the body tier's
                    # ranking with COUNT(*) OVER (), or the first group's with a UNION), it cost
                    # PostgreSQL more than the round trip saved (docs/benchmarks-history.md,
                    # session 11, `pginline`).
                    total = engine.count_matches(
                        self.text, track=self.track, course=self.course, cap=self._cap
                    )
                if self._cached:
                    cache.set(key, total, PAGE_CACHE_SECONDS)
            self._total = total
        return self._total

    def count(self) -> int:
        return min(self._count(), self._cap)

    @property
    def capped(self) -> bool:
        return self._count() > self._cap

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, part: slice) -> list[int]:
        if not isinstance(part, slice) or part.step not in (None, 1):
            raise TypeError("RankedMatches only supports plain slices")
        start = part.start or 0
        stop = self.count() if part.stop is None else part.stop
        key = f"{self._key}:{start}:{stop}"
        ids = cache.get(key) if self._cached else None
        if ids is None:
            ids = self._ranked(start, stop)
            if self._cached:
                cache.set(key, ids, PAGE_CACHE_SECONDS)
        return ids

    def _ranked(self, start: int, stop: int) -> list[int]:
        if stop <= start:
            return []
        first = self._first_ids()
        if stop <= len(first):
            return first[start:stop]
        filters = {"track": self.track, "course": self.course}
        if self._rest is not None:  # ranked for the count: every page offered is in them
            known = first + self._rest
            if stop <= len(known) or len(known) <= self._cap:  # (the latter: every match)
                return known[start:stop]
        if len(first) <= self._cap:  # the whole first group: the later ones follow it
            rest_start = max(start, len(first))
            return first[start:stop] + engine.ranked_after_first_group(
                self.text,
                known=first,
                offset=rest_start - len(first),
                limit=stop - rest_start,
                **filters,
            )
        # Past the cap, which the page never offers.
        return engine.ranked_lesson_ids(self.text, offset=start, limit=stop - start, **filters)
