"""Fixed-window counters in Django's cache (the tutor's, sign-up's and password reset's limits).

Sign-in limits are django-axes', in the database (accounts/signin.py).

Counted in the "limits" cache: Redis in production, shared by every worker and host. If Redis
cannot be reached, each process counts on its own (a local count, never no count) until Redis
answers again; see core/degraded.py.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from core.cache import UNAVAILABLE
from core.degraded import redis_breaker

# Used only while the shared store is unreachable.
_local = LocMemCache("glassbox-local-limits", {"OPTIONS": {"MAX_ENTRIES": 100_000}})


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
        if _count(f"ratelimit:{key}:{bucket}", timeout=window + 5) > limit:
            allowed = False
    return Verdict(allowed, retry_after)


def _count(cache_key: str, *, timeout: int) -> int:
    shared = caches["limits"]
    if redis_breaker.closed():
        try:
            count = _increment(shared, cache_key, timeout)
        except UNAVAILABLE as error:
            redis_breaker.failed(error)
        else:
            redis_breaker.succeeded()
            return count
    return _increment(_local, cache_key, timeout)


def _increment(store, cache_key: str, timeout: int) -> int:
    store.add(cache_key, 0, timeout=timeout)
    try:
        return store.incr(cache_key)
    except ValueError:  # evicted between add and incr: start the window again
        store.set(cache_key, 1, timeout=timeout)
        return 1


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
