"""What the results page needs, each part costing as little as the catalog allows.

The filter choices and each page of ranked ids are kept in Django's cache under the content
version (courses/caching.py), so a new import changes every key at once and nothing from the
old content is served; a repeated search then costs no ranking query at all.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils.safestring import SafeString

from courses.caching import PAGE_CACHE_SECONDS, content_version
from courses.models import Course, Lesson

from . import engine, query


@dataclass(frozen=True)
class CourseChoice:
    slug: str
    title: str
    track: str


@dataclass(frozen=True)
class Hit:
    """One result card: what the template shows of a lesson, and its passage."""

    title: str
    url: str
    course: str
    track: str
    minutes: int | None
    passage: SafeString | str


def hits(text: str, ids: list[int]) -> list[Hit]:
    """The cards of one page of ranked ids, in their order: two small queries, only the columns
    the card shows (a lesson row also carries its summary, big idea and key terms)."""
    if not ids:
        return []
    columns = ("pk", "slug", "title", "minutes", "course__slug", "course__title", "course__track")
    rows = {row[0]: row for row in Lesson.objects.filter(pk__in=ids).values_list(*columns)}
    passages = engine.passages(text, ids)
    # One reverse() for the page: slugs are URL-safe, so they go into the pattern as they are.
    before, rest = reverse("lessons:detail", kwargs={"course": "_c_", "lesson": "_l_"}).split("_c_")
    between, after = rest.split("_l_")
    cards = []
    for pk in ids:
        if pk not in rows:
            continue
        _pk, slug, title, minutes, course_slug, course_title, track = rows[pk]
        url = f"{before}{course_slug}{between}{slug}{after}"
        cards.append(Hit(title, url, course_title, track, minutes, passages.get(pk, "")))
    return cards


def filter_choices() -> tuple[list[str], list[CourseChoice]]:
    """The tracks and published courses offered by the filters, in catalog order."""
    key = f"search:filters:{content_version()}"
    courses = cache.get(key)
    if courses is None:
        rows = Course.objects.published().order_by("order", "slug")
        courses = [CourseChoice(*row) for row in rows.values_list("slug", "title", "track")]
        cache.set(key, courses, PAGE_CACHE_SECONDS)
    return list(dict.fromkeys(c.track for c in courses)), courses


class RankedMatches:
    """The matches of a search as a lazy sequence for Django's Paginator.

    Paginator asks for ``count()`` and then one slice; each is one small query (or a cache hit),
    so only the requested page is ranked and read back, however many lessons match. The count
    stops at SEARCH_MAX_RESULTS: past it ``capped`` is true and only that many are offered.
    """

    def __init__(self, text: str, *, track: str = "", course: str = "") -> None:
        self.text, self.track, self.course = text, track, course
        words = "\x1f".join(query.terms(text))
        digest = hashlib.sha256(f"{words}\x1e{track}\x1e{course}".encode()).hexdigest()
        self._key = f"search:{content_version()}:{digest}"
        self._cached = settings.SEARCH_CACHE_RESULTS
        self._cap = settings.SEARCH_MAX_RESULTS
        self._total: int | None = None

    def _count(self) -> int:
        """Matches counted up to cap + 1 (so above the cap it reads cap + 1)."""
        if self._total is None:
            key = f"{self._key}:count:{self._cap}"
            total = cache.get(key) if self._cached else None
            if total is None:
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
            ids = engine.ranked_lesson_ids(
                self.text,
                track=self.track,
                course=self.course,
                offset=start,
                limit=max(stop - start, 0),
            )
            if self._cached:
                cache.set(key, ids, PAGE_CACHE_SECONDS)
        return ids
