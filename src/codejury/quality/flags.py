"""Closing an anomaly flag: a manager of the flag's project looked at the evidence and is done.

A closed flag changes nothing else (flags never change pay or access); ``refresh_flags`` may open a
new flag of the same kind later if the pattern returns. Every close writes an audit event.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from codejury.accounts import audit, require_manager
from codejury.db.base import utcnow
from codejury.db.models import Flag, Project, User
from codejury.errors import Conflict, InvalidInput, NotFound


def get_flag(session: Session, flag_id: int) -> Flag:
    row = session.get(Flag, flag_id)
    if row is None:
        raise NotFound(f"no flag {flag_id}")
    return row


def close_flag(
    session: Session, manager: User, flag: Flag, note: str, now: datetime | None = None
) -> Flag:
    """Close an open flag with a note saying what the review found."""
    now = now or utcnow()
    require_manager(session, manager, session.get_one(Project, flag.project_id))
    if flag.status != "open":
        raise Conflict(f"This flag is already {flag.status}.")
    if not note or not note.strip():
        raise InvalidInput("Closing a flag needs a note.", ["note: say what the review found"])
    flag.status, flag.closed_by, flag.closed_at = "closed", manager.id, now
    audit(
        session,
        manager,
        "flag.close",
        "flag",
        flag.id,
        {"status": "open"},
        {"status": "closed", "note": note.strip(), "kind": flag.kind, "user_id": flag.user_id},
        project_id=flag.project_id,
    )
    session.commit()
    return flag
