import pytest

from codejury.accounts.login import LoginLimiter, LoginRateLimited
from codejury.errors import RateLimited

KEY = ("a@example.org", "203.0.113.9")


def test_limit_is_reached_after_the_allowed_failures() -> None:
    limiter = LoginLimiter(3)
    for t in (0.0, 1.0, 2.0):
        limiter.check(KEY, t)
        limiter.failed(KEY, t)
    with pytest.raises(LoginRateLimited) as info:
        limiter.check(KEY, 10.0)
    assert isinstance(info.value, RateLimited)
    assert info.value.retry_after == 50  # the first failure leaves the window at t=60
    assert "50 seconds" in str(info.value)


def test_window_slides() -> None:
    limiter = LoginLimiter(2)
    limiter.failed(KEY, 0.0)
    limiter.failed(KEY, 30.0)
    with pytest.raises(LoginRateLimited):
        limiter.check(KEY, 59.0)
    limiter.check(KEY, 60.5)  # the failure at 0 has left the window
    limiter.failed(KEY, 60.5)
    with pytest.raises(LoginRateLimited) as info:
        limiter.check(KEY, 61.0)
    assert info.value.retry_after == 29


def test_keys_are_counted_apart() -> None:
    limiter = LoginLimiter(1)
    limiter.failed(KEY, 0.0)
    limiter.check(("a@example.org", "198.51.100.7"), 1.0)
    limiter.check(("b@example.org", "203.0.113.9"), 1.0)
    with pytest.raises(LoginRateLimited):
        limiter.check(KEY, 1.0)


def test_success_clears_the_count() -> None:
    limiter = LoginLimiter(1)
    limiter.failed(KEY, 0.0)
    limiter.succeeded(KEY)
    limiter.check(KEY, 1.0)


def test_stale_keys_are_forgotten_when_many() -> None:
    limiter = LoginLimiter(5)
    for i in range(10_000):
        limiter.failed((f"u{i}", "x"), 0.0)
    limiter.failed(KEY, 120.0)
    assert len(limiter._failures) == 1


def test_limit_must_allow_one_attempt() -> None:
    with pytest.raises(ValueError):
        LoginLimiter(0)
