"""Django's Redis cache, degrading instead of failing when Redis is unreachable.

While Redis is down every read is a miss and every write is skipped, so pages render uncached
and sessions (cached_db) come from the database. Rate limits do not use this cache: they must
know that their count failed (core/ratelimit.py).
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from core.degraded import redis_breaker

UNAVAILABLE = (RedisError, OSError)


def _degrading(name: str, fallback):
    def method(self, *args, **kwargs):
        if not redis_breaker.closed():
            return fallback(*args, **kwargs) if callable(fallback) else fallback
        try:
            result = getattr(super(ResilientRedisCache, self), name)(*args, **kwargs)
        except UNAVAILABLE as error:
            redis_breaker.failed(error)
            return fallback(*args, **kwargs) if callable(fallback) else fallback
        redis_breaker.succeeded()
        return result

    method.__name__ = name
    return method


def _default_argument(key, default=None, *args, **kwargs):
    return default


class ResilientRedisCache(RedisCache):
    get = _degrading("get", _default_argument)
    get_many = _degrading("get_many", lambda *args, **kwargs: {})
    has_key = _degrading("has_key", False)
    set = _degrading("set", None)
    set_many = _degrading("set_many", lambda *args, **kwargs: [])
    add = _degrading("add", False)
    touch = _degrading("touch", False)
    delete = _degrading("delete", False)
    delete_many = _degrading("delete_many", None)
    clear = _degrading("clear", None)
