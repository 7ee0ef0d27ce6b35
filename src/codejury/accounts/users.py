"""People: creation, profile changes, deactivation and passwords.

A user created without a password is *pending*: inactive until they redeem their invitation
(:mod:`codejury.accounts.links`). Every change someone makes to another person's account is
audited.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from codejury.accounts.access import check_account_change, require_grant
from codejury.accounts.audit import audit
from codejury.accounts.passwords import hash_password
from codejury.db.base import utcnow
from codejury.db.models import ROLES, ApiToken, OneTimeLink, User
from codejury.errors import Conflict, InvalidInput, NotFound

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_SKILL = re.compile(r"^[a-z0-9][a-z0-9+#._-]{0,39}$")
_PSEUDONYM_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no look-alikes (l/1, o/0)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    session: Session,
    email: str,
    name: str,
    role: str,
    *,
    password: str | None = None,
    skills: Iterable[str] = (),
    timezone: str = "UTC",
    actor: User | None = None,
) -> User:
    """Create a user; without a password the user stays inactive until an invitation is redeemed."""
    email = normalise_email(email)
    problems = _profile_problems(email=email, name=name, role=role, timezone=timezone)
    clean_skills = _clean_skills(skills, problems)
    if problems:
        raise InvalidInput("cannot create user", problems)
    if actor is not None:
        require_grant(actor, role)
    if get_user_by_email(session, email) is not None:
        raise Conflict(f"a user with email {email} already exists")
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        password_hash=hash_password(password) if password is not None else None,
        active=password is not None,
        pseudonym=_new_pseudonym(session),
        skills=clean_skills,
        timezone=timezone,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(f"a user with email {email} already exists")
    audit(session, actor, "user.create", "user", user.id, None, _snapshot(user))
    session.commit()
    return user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    return user


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def require_user_by_email(session: Session, email: str) -> User:
    user = get_user_by_email(session, email)
    if user is None:
        raise NotFound(f"no user with email {normalise_email(email)}")
    return user


def list_users(
    session: Session, *, role: str | None = None, active: bool | None = None
) -> list[User]:
    query = select(User).order_by(User.email)
    if role is not None:
        query = query.where(User.role == role)
    if active is not None:
        query = query.where(User.active == active)
    return list(session.scalars(query))


def update_user(
    session: Session,
    user: User,
    *,
    name: str | None = None,
    role: str | None = None,
    skills: Iterable[str] | None = None,
    timezone: str | None = None,
    actor: User | None,
) -> User:
    """Change what is given; one audit event per changed field (``user.role``, ``user.skills``)."""
    problems = _profile_problems(name=name, role=role, timezone=timezone)
    changes: dict[str, object] = {}
    if skills is not None:
        changes["skills"] = _clean_skills(skills, problems)
    if problems:
        raise InvalidInput(f"cannot update user {user.email}", problems)
    check_account_change(actor, user, role=role)
    if name is not None:
        changes["name"] = name.strip()
    if role is not None:
        changes["role"] = role
    if timezone is not None:
        changes["timezone"] = timezone
    if user.role == "admin" and role not in (None, "admin"):
        _keep_an_admin(session, user)
    for field, value in changes.items():
        old = getattr(user, field)
        if old == value:
            continue
        setattr(user, field, value)
        audit(session, actor, f"user.{field}", "user", user.id, {field: old}, {field: value})
    session.commit()
    return user


def deactivate(
    session: Session, user: User, actor: User | None, *, now: datetime | None = None
) -> User:
    """Refuse further logins, end every session, revoke every token and void unused links."""
    now = now or utcnow()
    check_account_change(actor, user)
    if user.role == "admin":
        _keep_an_admin(session, user)
    before = {"active": user.active}
    user.active = False
    user.session_version += 1
    live = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    revoked = 0
    for token in session.scalars(live):
        token.revoked_at = now
        revoked += 1
    session.execute(
        update(OneTimeLink)
        .where(OneTimeLink.user_id == user.id, OneTimeLink.used_at.is_(None))
        .values(expires_at=now)
    )
    after = {"active": False, "tokens_revoked": revoked}
    audit(session, actor, "user.deactivate", "user", user.id, before, after)
    session.commit()
    return user


def reactivate(session: Session, user: User, actor: User | None) -> User:
    """Allow logins again (tokens stay revoked; a user without a password still needs a link)."""
    check_account_change(actor, user)
    if user.active:
        return user
    user.active = True
    audit(session, actor, "user.reactivate", "user", user.id, {"active": False}, {"active": True})
    session.commit()
    return user


def set_password(session: Session, user: User, password: str, *, actor: User | None = None) -> None:
    """Store a new password and end the user's other sessions.

    An audit event is written when someone else sets it; the hash is never recorded.
    """
    check_account_change(actor, user)
    user.password_hash = hash_password(password)
    user.session_version += 1
    if actor is None or actor.id != user.id:
        audit(session, actor, "user.password", "user", user.id, None, {"password": "set"})
    session.commit()


def _keep_an_admin(session: Session, user: User) -> None:
    others = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == "admin", User.active.is_(True), User.id != user.id)
    )
    if user.active and not others:
        raise Conflict(f"{user.email} is the last active admin; make another admin first")


def _profile_problems(
    *,
    email: str | None = None,
    name: str | None = None,
    role: str | None = None,
    timezone: str | None = None,
) -> list[str]:
    problems = []
    if email is not None and (len(email) > 320 or not _EMAIL.match(email)):
        problems.append(f"email: {email!r} is not an email address")
    if name is not None and not (0 < len(name.strip()) <= 200):
        problems.append("name: must be 1 to 200 characters")
    if role is not None and role not in ROLES:
        problems.append(f"role: {role!r} is not one of {', '.join(ROLES)}")
    if timezone is not None and not _is_timezone(timezone):
        problems.append(f"timezone: {timezone!r} is not an IANA time zone (e.g. Europe/Berlin)")
    return problems


def _is_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _clean_skills(skills: Iterable[str], problems: list[str]) -> list[str]:
    if isinstance(skills, str):
        skills = skills.split(",")
    clean: list[str] = []
    for raw in skills:
        skill = raw.strip().lower()
        if not _SKILL.match(skill):
            problems.append(f"skills: {raw!r} is not a skill name (letters, digits, + # . _ -)")
        elif skill not in clean:
            clean.append(skill)
    return clean


def _new_pseudonym(session: Session) -> str:
    while True:
        candidate = "ann-" + "".join(secrets.choice(_PSEUDONYM_ALPHABET) for _ in range(6))
        if session.scalar(select(User.id).where(User.pseudonym == candidate)) is None:
            return candidate


def _snapshot(user: User) -> dict[str, object]:
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "active": user.active,
        "skills": list(user.skills),
        "timezone": user.timezone,
    }
