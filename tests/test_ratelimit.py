"""The cache-backed counters, at window boundaries."""

from core import ratelimit


def test_rate_limit_allows_exactly_the_limit_per_window():
    verdicts = [ratelimit.hit(["k"], limit=3, window=60, now=120.0 + i).allowed for i in range(5)]
    assert verdicts == [True, True, True, False, False]
    assert ratelimit.hit(["k"], limit=3, window=60, now=180.0).allowed  # the next window
    assert ratelimit.hit(["k"], limit=3, window=60, now=130.0).retry_after == 50
