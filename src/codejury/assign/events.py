"""Declared work events: reading guidelines, idle time, practice, qualification...

Only kinds and seconds are stored, with a small flat ``meta``; never keystrokes, mouse or screen
data. Pay computes worked time from these rows together with the submit/skip/lease events.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from codejury.assign.taxonomy import DECLARED_EVENT_KINDS
from codejury.db.base import utcnow
from codejury.db.models import Project, User, WorkEvent
from codejury.errors import InvalidInput

MAX_EVENT_SECONDS = 12 * 3600
MAX_META_KEYS = 10
MAX_META_TEXT = 200


def record_event(
    session: Session,
    user: User,
    project: Project | None,
    kind: str,
    seconds: float,
    meta: Mapping[str, Any] | None = None,
    *,
    assignment_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Store one declared work event that ended ``now``; returns its id."""
    now = now or utcnow()
    problems = _check_event(kind, seconds, meta or {})
    if problems:
        raise InvalidInput("The work event is not valid.", problems)
    event = WorkEvent(
        user_id=user.id,
        project_id=project.id if project is not None else None,
        kind=kind,
        assignment_id=assignment_id,
        started_at=now - timedelta(seconds=seconds),
        ended_at=now,
        seconds=float(seconds),
        meta=dict(meta or {}),
    )
    session.add(event)
    session.commit()
    return event.id


def record_idle(
    session: Session,
    user: User,
    project: Project | None,
    seconds: float,
    *,
    assignment_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """The task timer saw no input for ``seconds``: stored as an ``idle`` event (unpaid time)."""
    return record_event(
        session, user, project, "idle", seconds, assignment_id=assignment_id, now=now
    )


def _check_event(kind: str, seconds: float, meta: Mapping[str, Any]) -> list[str]:
    problems = []
    if kind not in DECLARED_EVENT_KINDS:
        problems.append(f"kind: must be one of {', '.join(DECLARED_EVENT_KINDS)}")
    if not 0 <= seconds <= MAX_EVENT_SECONDS:
        problems.append(f"seconds: must be 0..{MAX_EVENT_SECONDS}, got {seconds}")
    if len(meta) > MAX_META_KEYS:
        problems.append(f"meta: at most {MAX_META_KEYS} keys")
    for key, value in meta.items():
        if value is not None and not isinstance(value, str | int | float | bool):
            problems.append(f"meta.{key}: only plain values (text, numbers, true/false)")
        elif isinstance(value, str) and len(value) > MAX_META_TEXT:
            problems.append(f"meta.{key}: at most {MAX_META_TEXT} characters")
    return problems
