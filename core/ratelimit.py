"""Fixed-window counters in Django's cache (the tutor's rate limit, sign-in throttling).

Shared by every process that shares the cache, so with Redis the limits hold across workers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the window resets


def hit(keys: list[str], *, limit: int, window: int = 60, now: float | None = None) -> Verdict:
    """Counts one request against every key; refuses when any key is over ``limit``.

    ``cache.add`` then ``cache.incr`` are atomic in Redis and memcached, so concurrent workers
    never both see the last free slot. ``limit`` 0 turns the limit off.
    """
    if limit <= 0:
        return Verdict(True, 0)
    now = time.time() if now is None else now
    bucket = int(now // window)
    retry_after = max(1, int((bucket + 1) * window - now))
    allowed = True
    for key in keys:
        cache_key = f"ratelimit:{key}:{bucket}"
        cache.add(cache_key, 0, timeout=window + 5)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # evicted between add and incr: start the window again
            cache.set(cache_key, 1, timeout=window + 5)
            count = 1
        if count > limit:
            allowed = False
    return Verdict(allowed, retry_after)


def failures(keys: list[str], *, window: int, now: float | None = None) -> int:
    """The highest failure count of any key over this window and the one before it.

    Counting the previous window too means a window boundary never hands out a fresh
    allowance: a throttled account stays throttled for one to two windows.
    """
    bucket = int((time.time() if now is None else now) // window)
    names = {key: [f"failures:{key}:{bucket}", f"failures:{key}:{bucket - 1}"] for key in keys}
    counts = cache.get_many([name for pair in names.values() for name in pair])
    return max((sum(counts.get(name, 0) for name in pair) for pair in names.values()), default=0)


def record_failure(keys: list[str], *, window: int, now: float | None = None) -> None:
    bucket = int((time.time() if now is None else now) // window)
    for key in keys:
        cache_key = f"failures:{key}:{bucket}"
        cache.add(cache_key, 0, timeout=2 * window + 5)
        try:
            cache.incr(cache_key)
        except ValueError:
            cache.set(cache_key, 1, timeout=2 * window + 5)


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the entry our own proxies added to X-Forwarded-For.

    With TRUSTED_PROXY_COUNT = n, the n-th address from the right of X-Forwarded-For is the one
    our outermost proxy saw; anything further left was written by the client and is ignored.
    """
    from django.conf import settings

    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted > 0:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= trusted:
            return forwarded[-trusted]
    return request.META.get("REMOTE_ADDR", "unknown")
