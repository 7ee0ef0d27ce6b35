"""The audit log: who changed what, when, with the state before and after.

Every administrative change in CodeJury (roles, skills, deactivation, memberships, tokens issued for
someone else, and changes other features make: project settings, pay, exports, reviews) is recorded
with :func:`audit`. It adds the row to the caller's session and does not commit: the event
belongs to the caller's unit of work and is stored, or rolled back, together with the change it
describes.

Each event also records the channel the change came through (``via``): ``web`` (a signed-in
browser), ``api`` (a bearer token), ``cli`` (the ``codejury`` command) or ``job`` (a scheduled job).
The entry points declare it with :func:`audit_channel`; ``audit`` reads it, so features never pass it
on. Code that declares no channel (a script using the Python API) records none.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, get_args

from sqlalchemy import select
from sqlalchemy.orm import Session

from codejury.db.base import utcnow
from codejury.db.models import AuditEvent, User

MAX_PAGE = 1000
NO_ACTOR = "cli"

Channel = Literal["web", "api", "cli", "job"]
CHANNELS: tuple[Channel, ...] = get_args(Channel)
_channel: ContextVar[Channel | None] = ContextVar("codejury_audit_channel", default=None)


@contextmanager
def audit_channel(channel: Channel) -> Iterator[None]:
    """Audit events written inside the block record ``channel`` as their ``via``.

    The innermost block wins: a job run by ``codejury worker`` is recorded as ``job``.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown audit channel {channel!r}; one of {', '.join(CHANNELS)}")
    token = _channel.set(channel)
    try:
        yield
    finally:
        _channel.reset(token)


def current_channel() -> Channel | None:
    """The channel declared by the innermost :func:`audit_channel` block, if any."""
    return _channel.get()


def audit(
    session: Session,
    actor: User | None,
    action: str,
    target_type: str,
    target_id: int | str | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    project_id: int | None = None,
    *,
    at: datetime | None = None,
) -> AuditEvent:
    """Record one change; ``action`` reads ``"<thing>.<change>"``, e.g. ``"user.role"``.

    ``before``/``after`` may hold datetimes, decimals, enums, tuples and sets: they are stored
    as JSON (ISO 8601 text, decimal text, values, lists). ``at`` defaults to now; the channel
    comes from :func:`audit_channel`.
    """
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        project_id=project_id,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        before=_jsonable_dict(before),
        after=_jsonable_dict(after),
        via=current_channel(),
        created_at=at or utcnow(),
    )
    session.add(event)
    session.flush()
    return event


def audit_log(
    session: Session,
    *,
    project_id: int | None = None,
    limit: int = 100,
    before_id: int | None = None,
    target_type: str | None = None,
    target_id: int | str | None = None,
) -> list[AuditEvent]:
    """Newest first; page with ``before_id`` (the smallest id of the previous page)."""
    limit = max(1, min(limit, MAX_PAGE))
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if project_id is not None:
        query = query.where(AuditEvent.project_id == project_id)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    if target_type is not None:
        query = query.where(AuditEvent.target_type == target_type)
    if target_id is not None:
        query = query.where(AuditEvent.target_id == str(target_id))
    return list(session.scalars(query))


def actor_label(session: Session, event: AuditEvent) -> str:
    """How the audit page names who acted: the actor's email; for actor-less events their channel
    (``"cli"`` or ``"job"``), or ``"cli"`` where none was recorded."""
    if event.actor_id is None:
        return event.via or NO_ACTOR
    user = session.get(User, event.actor_id)
    return user.email if user is not None else f"user {event.actor_id}"


def _jsonable_dict(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {str(k): _jsonable(v) for k, v in value.items()}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return _jsonable(value.value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(_jsonable(v) for v in value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    raise TypeError(f"audit values must be JSON-like; got {type(value).__name__}")
