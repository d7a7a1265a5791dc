"""The cache-backed counters, at window boundaries."""

from core import ratelimit


def test_rate_limit_allows_exactly_the_limit_per_window():
    verdicts = [ratelimit.hit(["k"], limit=3, window=60, now=120.0 + i).allowed for i in range(5)]
    assert verdicts == [True, True, True, False, False]
    assert ratelimit.hit(["k"], limit=3, window=60, now=180.0).allowed  # the next window
    assert ratelimit.hit(["k"], limit=3, window=60, now=130.0).retry_after == 50


def test_failures_still_count_just_after_a_window_boundary():
    for second in range(5):
        ratelimit.record_failure(["user"], window=900, now=899.0 - second)
    assert ratelimit.failures(["user"], window=900, now=899.5) == 5
    assert ratelimit.failures(["user"], window=900, now=900.5) == 5  # boundary: still throttled
    assert ratelimit.failures(["user"], window=900, now=1800.5) == 0  # two windows on: forgotten


def test_failures_take_the_worst_key():
    ratelimit.record_failure(["a", "b"], window=60, now=10)
    ratelimit.record_failure(["b"], window=60, now=11)
    assert ratelimit.failures(["a", "b"], window=60, now=12) == 2
