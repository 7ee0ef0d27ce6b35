"""Password hashing with Argon2id (argon2-cffi's recommended parameters).

Hashes carry their own parameters, so a change of parameters is picked up by :func:`needs_rehash`
and the login rehashes the password it has just verified.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from codejury.errors import InvalidInput

MIN_LENGTH = 10
MAX_LENGTH = 1024  # bounds the hashing work one request can cause


@cache
def hasher() -> PasswordHasher:
    """The hasher with today's parameters (RFC 9106 low-memory profile)."""
    return PasswordHasher()


def check_strength(password: str) -> None:
    """Raise InvalidInput for a password CodeJury refuses to store."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"password: needs at least {MIN_LENGTH} characters, got {len(password)}")
    if len(password) > MAX_LENGTH:
        problems.append(f"password: at most {MAX_LENGTH} characters")
    if password and not password.strip():
        problems.append("password: is only whitespace")
    if problems:
        raise InvalidInput("password refused", problems)


def hash_password(password: str) -> str:
    check_strength(password)
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches; False for a wrong password or an unreadable hash."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


def dummy_hash() -> str:
    """A hash to verify against when there is no user, so unknown emails cost the same time."""
    return _dummy_for(hasher())


@cache
def _dummy_for(current: PasswordHasher) -> str:
    return current.hash("codejury-dummy-password")
