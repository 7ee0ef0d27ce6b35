"""Password login with a limit on failed attempts.

Failed attempts are counted per (email, client address) in a sliding window of one minute, in the
memory of the process (:class:`LoginLimiter`). With several server workers each keeps its own
count, so the effective limit is ``login_attempts_per_minute`` times the number of workers.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from datetime import datetime
from functools import cache

from sqlalchemy.orm import Session

from codejury.accounts import passwords
from codejury.accounts.users import get_user_by_email, normalise_email
from codejury.config import get_settings
from codejury.db.base import utcnow
from codejury.db.models import User
from codejury.errors import RateLimited, Unauthenticated

WINDOW_SECONDS = 60.0
_MAX_KEYS = 10_000


class LoginRateLimited(RateLimited):
    """Too many failed logins; ``retry_after`` is the number of seconds to wait."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins; try again in {retry_after} seconds")
        self.retry_after = retry_after


class LoginLimiter:
    """At most ``attempts`` failures per key in any ``window`` seconds. Thread-safe, in memory."""

    def __init__(self, attempts: int, window: float = WINDOW_SECONDS) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self.attempts = attempts
        self.window = window
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: tuple[str, str], now: float) -> None:
        """Raise LoginRateLimited while ``key`` has used up its failures."""
        with self._lock:
            failures = self._recent(key, now)
            if len(failures) >= self.attempts:
                wait = failures[len(failures) - self.attempts] + self.window - now
                raise LoginRateLimited(max(1, math.ceil(wait)))

    def failed(self, key: tuple[str, str], now: float) -> None:
        with self._lock:
            if len(self._failures) >= _MAX_KEYS:
                self._forget_stale(now)
            self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def _forget_stale(self, now: float) -> None:
        for key in list(self._failures):
            if not self._recent(key, now):
                del self._failures[key]


@cache
def default_limiter() -> LoginLimiter:
    """The process's limiter, built on first use from the settings."""
    return LoginLimiter(get_settings().login_attempts_per_minute)


def authenticate_password(
    session: Session,
    email: str,
    password: str,
    *,
    client_addr: str,
    now: datetime | None = None,
    limiter: LoginLimiter | None = None,
) -> User:
    """The active user with this email and password, or Unauthenticated (or LoginRateLimited).

    An unknown email costs one hash verification too, so timing does not tell which emails exist.
    A hash made with older parameters is replaced by a fresh one.
    """
    limiter = limiter or default_limiter()
    clock = (now or utcnow()).timestamp()
    key = (normalise_email(email), client_addr)
    limiter.check(key, clock)
    user = get_user_by_email(session, email)
    stored = user.password_hash if user is not None else None
    if (
        not passwords.verify_password(stored or passwords.dummy_hash(), password)
        or user is None
        or stored is None
    ):
        limiter.failed(key, clock)
        raise Unauthenticated("wrong email or password")
    if not user.active:
        raise Unauthenticated("this account is deactivated")
    limiter.succeeded(key)
    if passwords.needs_rehash(stored):
        user.password_hash = passwords.hasher().hash(password)
        session.commit()
    return user
