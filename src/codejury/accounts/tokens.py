"""Personal API tokens for the REST API and scripts.

A token reads ``cj_`` followed by 43 URL-safe characters. It is shown once, when issued; only its
SHA-256 is stored, so a leaked database does not leak working tokens.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from codejury.accounts.access import check_account_change, require_user_admin
from codejury.accounts.audit import audit
from codejury.db.base import utcnow
from codejury.db.models import ApiToken, User
from codejury.errors import InvalidInput, NotFound, Unauthenticated

PREFIX = "cj_"
DEFAULT_LIFETIME = timedelta(days=90)
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def issue_token(
    session: Session,
    user: User,
    name: str,
    *,
    expires_in: timedelta | None = DEFAULT_LIFETIME,
    actor: User | None = None,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the plaintext (shown once, never stored).

    ``expires_in=None`` makes a token that lasts until revoked. A token issued by someone other than
    its owner (or from the command line) is audited.
    """
    name = name.strip()
    if not 0 < len(name) <= 100:
        raise InvalidInput("cannot issue token", ["name: must be 1 to 100 characters"])
    if expires_in is not None and expires_in <= timedelta(0):
        raise InvalidInput("cannot issue token", ["expires_in: must be positive"])
    check_account_change(actor, user)
    now = now or utcnow()
    plaintext = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=token_digest(plaintext),
        created_at=now,
        expires_at=now + expires_in if expires_in is not None else None,
    )
    session.add(token)
    session.flush()
    if actor is None or actor.id != user.id:
        after = {"name": name, "expires_at": token.expires_at}
        audit(session, actor, "token.issue", "user", user.id, None, after)
    session.commit()
    return token, plaintext


def authenticate_token(session: Session, plaintext: str, now: datetime | None = None) -> User:
    """The active user a token belongs to, or Unauthenticated."""
    now = now or utcnow()
    if not plaintext.startswith(PREFIX):
        raise Unauthenticated("not a CodeJury API token")
    query = (
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == token_digest(plaintext))
    )
    row = session.execute(query).first()  # one round trip: every API request comes this way
    if row is None:
        raise Unauthenticated("unknown API token")
    token, user = row.tuple()
    if token.revoked_at is not None:
        raise Unauthenticated("API token revoked")
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthenticated("API token expired")
    if not user.active:
        raise Unauthenticated("account deactivated")
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        session.commit()
    return user


def get_token(session: Session, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"no API token with id {token_id}")
    return token


def revoke_token(
    session: Session, token: ApiToken, *, actor: User | None = None, now: datetime | None = None
) -> ApiToken:
    """Revoke ``token`` (revoking twice changes nothing). Audited when not revoked by its owner."""
    if actor is not None and actor.id != token.user_id:
        require_user_admin(actor, get_user_for(session, token))
    if token.revoked_at is not None:
        return token
    token.revoked_at = now or utcnow()
    if actor is None or actor.id != token.user_id:
        before = {"name": token.name, "revoked_at": None}
        after = {"name": token.name, "revoked_at": token.revoked_at}
        audit(session, actor, "token.revoke", "user", token.user_id, before, after)
    session.commit()
    return token


def get_user_for(session: Session, token: ApiToken) -> User:
    user = session.get(User, token.user_id)
    if user is None:
        raise NotFound(f"no user with id {token.user_id}")
    return user


def list_tokens(session: Session, user: User, *, include_revoked: bool = False) -> list[ApiToken]:
    """``user``'s tokens, newest first (never their plaintext, which is not stored)."""
    query = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    if not include_revoked:
        query = query.where(ApiToken.revoked_at.is_(None))
    return list(session.scalars(query))
