"""Which version of the content the site is showing, for keys of cached pages.

The version is the latest import time of any course or lesson: every import that changes
something writes one, so a new import changes every page key at once and nothing cached
from the old content is ever served again. Each process keeps the value for a moment, so a
page request costs no query for it; an import in the same process forgets it at once.
"""

from __future__ import annotations

import threading
import time

from django.db.models import Max

from .models import Course, Lesson

REFRESH_SECONDS = 1.0
# How long a cached page or fragment lives. Keys carry the content version, so a new import never
# waits for this; it only lets entries of an old version fall out of the cache.
PAGE_CACHE_SECONDS = 24 * 3600

_lock = threading.Lock()
_cached: tuple[str, float] | None = None


def content_version() -> str:
    global _cached
    now = time.monotonic()
    with _lock:
        if _cached is not None and _cached[1] > now:
            return _cached[0]
    latest = [
        Course.objects.aggregate(latest=Max("imported_at"))["latest"],
        Lesson.objects.aggregate(latest=Max("imported_at"))["latest"],
    ]
    value = max((moment.isoformat() for moment in latest if moment), default="empty")
    with _lock:
        _cached = (value, now + REFRESH_SECONDS)
    return value


def forget_content_version() -> None:
    global _cached
    with _lock:
        _cached = None
