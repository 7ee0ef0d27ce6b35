"""One-time links: invitations and password resets that a manager hands over (no mail server).

The link carries a random token; only its SHA-256 is stored. A link works once, until it
expires, and only for its kind. Making a new link of a kind voids the user's earlier unused ones of
that kind, and deactivating a user voids all of theirs.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from codejury.accounts.access import check_account_change
from codejury.accounts.audit import audit
from codejury.accounts.passwords import check_strength, hash_password
from codejury.accounts.tokens import token_digest
from codejury.db.base import utcnow
from codejury.db.models import OneTimeLink, User
from codejury.errors import Conflict, Unauthenticated

LinkKind = Literal["invite", "reset"]
INVITE_LIFETIME = timedelta(days=7)
RESET_LIFETIME = timedelta(days=1)
PATHS: dict[str, str] = {"invite": "/invite/", "reset": "/reset/"}


def create_invite(
    session: Session,
    user: User,
    actor: User | None,
    expires_in: timedelta = INVITE_LIFETIME,
    *,
    now: datetime | None = None,
) -> str:
    """An invitation for a user who has not set a password yet; returns the token (shown once)."""
    if user.password_hash is not None:
        raise Conflict(
            f"{user.email} has already accepted an invitation; make a reset link instead"
        )
    return _create(session, user, "invite", actor, expires_in, now or utcnow())


def create_reset(
    session: Session,
    user: User,
    actor: User | None,
    expires_in: timedelta = RESET_LIFETIME,
    *,
    now: datetime | None = None,
) -> str:
    """A password reset for an active user; returns the token (shown once)."""
    if not user.active:
        raise Conflict(f"{user.email} is deactivated; reactivate the account first")
    return _create(session, user, "reset", actor, expires_in, now or utcnow())


def link_path(kind: LinkKind, token: str) -> str:
    """The path a person opens to redeem a link, e.g. ``/invite/<token>``."""
    return PATHS[kind] + token


def redeem(
    session: Session,
    token: str,
    new_password: str,
    *,
    kind: LinkKind | None = None,
    now: datetime | None = None,
) -> User:
    """Use a link once: set the password (an invitation also activates the user).

    ``kind`` given, a link of the other kind is refused. The new password also ends every session.
    """
    check_strength(new_password)
    link = peek(session, token, kind=kind, now=now)
    user = session.get(User, link.user_id)
    if user is None:
        raise Unauthenticated("this link is not valid")
    if link.kind == "invite" and user.password_hash is not None:
        raise Unauthenticated("this invitation was already accepted")
    if link.kind == "reset" and not user.active:
        raise Unauthenticated("this account is deactivated")
    _mark_used(session, link, now or utcnow())
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    if link.kind == "invite":
        user.active = True
    session.commit()
    return user


def peek(
    session: Session, token: str, *, kind: LinkKind | None = None, now: datetime | None = None
) -> OneTimeLink:
    """The usable link for ``token`` without using it (for showing the form), or Unauthenticated."""
    now = now or utcnow()
    link = session.scalar(select(OneTimeLink).where(OneTimeLink.token_hash == token_digest(token)))
    if link is None or (kind is not None and link.kind != kind):
        raise Unauthenticated("this link is not valid")
    if link.used_at is not None:
        raise Unauthenticated("this link was already used")
    if link.expires_at <= now:
        raise Unauthenticated("this link has expired; ask for a new one")
    return link


def _mark_used(session: Session, link: OneTimeLink, now: datetime) -> None:
    """Claim the link with one conditional update, so two concurrent redeems cannot both win."""
    claimed = session.execute(
        update(OneTimeLink)
        .where(OneTimeLink.id == link.id, OneTimeLink.used_at.is_(None))
        .values(used_at=now)
    )
    if not isinstance(claimed, CursorResult) or claimed.rowcount != 1:
        session.rollback()
        raise Unauthenticated("this link was already used")


def _create(
    session: Session,
    user: User,
    kind: LinkKind,
    actor: User | None,
    expires_in: timedelta,
    now: datetime,
) -> str:
    check_account_change(actor, user)
    session.execute(
        update(OneTimeLink)
        .where(
            OneTimeLink.user_id == user.id,
            OneTimeLink.kind == kind,
            OneTimeLink.used_at.is_(None),
            OneTimeLink.expires_at > now,
        )
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(32)
    link = OneTimeLink(
        user_id=user.id,
        kind=kind,
        token_hash=token_digest(token),
        created_by=actor.id if actor is not None else None,
        created_at=now,
        expires_at=now + expires_in,
    )
    session.add(link)
    session.flush()
    audit(
        session, actor, f"user.{kind}_link", "user", user.id, None, {"expires_at": link.expires_at}
    )
    session.commit()
    return token
