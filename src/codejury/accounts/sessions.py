"""Browser sessions, CSRF tokens and the client address behind proxies.

The session cookie is signed (itsdangerous, with the settings' secret key) and holds the user
id, the user's ``session_version`` and a random nonce. Bumping ``session_version`` (deactivation,
new password) ends every session of that user at once. The CSRF token of a session is an HMAC of
its cookie, so forms carry it and a forged request from another site cannot.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from itsdangerous import (
    BadData,
    BadSignature,
    SignatureExpired,
    TimestampSigner,
    URLSafeTimedSerializer,
)
from itsdangerous.encoding import base64_decode, base64_encode, want_bytes
from sqlalchemy.orm import Session

from codejury.db.models import User
from codejury.errors import Forbidden, Unauthenticated

COOKIE_NAME = "codejury_session"
_SALT = "codejury.session"
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class _ClockSigner(TimestampSigner):
    """A timestamp signer whose clock can be injected (tests of expiry)."""

    def __init__(self, *args: Any, clock: Callable[[], float] = time.time, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clock = clock

    def get_timestamp(self) -> int:
        return int(self._clock())

    def verify_signature(self, value: str | bytes, sig: str | bytes) -> bool:
        # Base64 leaves spare bits in the last character, so several spellings decode to the
        # same signature; only the one this signer writes is accepted.
        sig = want_bytes(sig)
        try:
            canonical = base64_encode(base64_decode(sig)) == sig
        except BadData:
            return False
        return canonical and super().verify_signature(value, sig)


def _serializer(secret: str, clock: Callable[[], float] | None) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        secret, salt=_SALT, signer=_ClockSigner, signer_kwargs={"clock": clock or time.time}
    )


def dump_session(user: User, *, secret: str, clock: Callable[[], float] | None = None) -> str:
    """The signed cookie value for a fresh session of ``user``."""
    payload = {"u": user.id, "v": user.session_version, "n": secrets.token_urlsafe(8)}
    return _serializer(secret, clock).dumps(payload)


def load_session(
    session: Session,
    cookie: str,
    max_age: int,
    *,
    secret: str,
    clock: Callable[[], float] | None = None,
) -> User:
    """The user of a valid session cookie no older than ``max_age`` seconds, or Unauthenticated."""
    try:
        payload = _serializer(secret, clock).loads(cookie, max_age=max_age)
    except SignatureExpired:
        raise Unauthenticated("session expired; log in again")
    except BadSignature:
        raise Unauthenticated("invalid session")
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise Unauthenticated("invalid session")
    user = session.get(User, payload["u"])
    if user is None or not user.active:
        raise Unauthenticated("account deactivated")
    if payload.get("v") != user.session_version:
        raise Unauthenticated("session ended; log in again")
    return user


def csrf_token(session_cookie_value: str, secret: str) -> str:
    """The CSRF token that belongs to one session cookie."""
    key = hashlib.sha256(("codejury.csrf:" + secret).encode()).digest()
    return hmac.new(key, session_cookie_value.encode(), hashlib.sha256).hexdigest()


def check_csrf(session_cookie_value: str, token: str | None, secret: str) -> None:
    """Raise Forbidden unless ``token`` is this session's CSRF token (constant-time compare)."""
    expected = csrf_token(session_cookie_value, secret)
    if not token or not hmac.compare_digest(expected.encode(), token.encode()):
        raise Forbidden("missing or wrong CSRF token; reload the page and try again")


def client_address(
    peer: str | None, headers: Mapping[str, str], trusted_proxies: Sequence[str]
) -> str:
    """The address of the client: the peer, or, when the peer is a trusted proxy, the nearest
    untrusted address in ``X-Forwarded-For`` (read right to left, skipping trusted proxies).

    ``trusted_proxies`` holds addresses or CIDR networks (``10.0.0.0/8``). Without a peer the
    answer is ``"unknown"``.
    """
    if not peer:
        return "unknown"
    networks = _networks(tuple(trusted_proxies))
    current = peer
    if not networks or not _trusted(current, networks):
        return current
    forwarded = _header(headers, "x-forwarded-for")
    hops = [h.strip() for h in forwarded.split(",")] if forwarded else []
    for hop in reversed(hops):
        address = _parse_address(hop)
        if address is None:
            break
        current = str(address)
        if not _trusted(current, networks):
            break
    return current


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is not None:
        return value
    for key, found in headers.items():
        if key.lower() == name:
            return found
    return None


@functools.lru_cache(maxsize=32)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _trusted(address: str, networks: tuple[IPNetwork, ...]) -> bool:
    parsed = _parse_address(address)
    return parsed is not None and any(parsed in network for network in networks)


def _parse_address(text: str) -> IPAddress | None:
    """An IP address, accepting ``[v6]:port`` and ``v4:port`` forms; None when unreadable."""
    text = text.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else text
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
