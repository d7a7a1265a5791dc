"""Knowing that Redis is down, without asking it on every request or logging every failure.

One breaker per process: after a failure Redis is not tried again for REDIS_RETRY_SECONDS (a
setting, default 5), so a dead
or hanging server costs one connection attempt per few seconds, not one per cache call; and a
failure is logged at most once per LOG_SECONDS, with one line when Redis answers again.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings

LOG_SECONDS = 60.0

logger = logging.getLogger("glassbox.degraded")


class Breaker:
    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._retry_at = 0.0
        self._logged_at: float | None = None
        self._down = False

    def closed(self) -> bool:
        """True when the service may be tried (it worked, or it is time to try again)."""
        return time.monotonic() >= self._retry_at

    def failed(self, error: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            self._retry_at = now + settings.REDIS_RETRY_SECONDS
            self._down = True
            if self._logged_at is not None and now - self._logged_at < LOG_SECONDS:
                return
            self._logged_at = now
        logger.warning(
            "%s unavailable (%s: %s): serving without it; next report in %d s at the earliest.",
            self.name,
            error.__class__.__name__,
            error,
            LOG_SECONDS,
        )

    def succeeded(self) -> None:
        if not self._down:
            return
        with self._lock:
            if not self._down:
                return
            self._down = False
            self._retry_at = 0.0
        logger.warning("%s available again.", self.name)


redis_breaker = Breaker("Redis")
