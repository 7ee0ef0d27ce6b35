"""Who belongs to which project: managers manage, and annotators work in, their projects.

``is_member`` lives in :mod:`codejury.accounts.access` (the rules need it); both are exported from
:mod:`codejury.accounts`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from codejury.accounts.access import require_manager, require_user_admin
from codejury.accounts.audit import audit
from codejury.db.models import Membership, Project, User


def add_member(session: Session, project: Project, user: User, actor: User | None) -> Membership:
    """Add ``user`` to ``project``; adding someone who already belongs changes nothing.

    An actor must manage the project and be allowed to act on ``user`` (managers add annotators).
    """
    _check(session, project, user, actor)
    existing = _membership(session, project, user)
    if existing is not None:
        return existing
    membership = Membership(project_id=project.id, user_id=user.id)
    session.add(membership)
    session.flush()
    after = {"user": user.email, "role": user.role}
    audit(session, actor, "project.member_add", "user", user.id, None, after, project_id=project.id)
    session.commit()
    return membership


def remove_member(session: Session, project: Project, user: User, actor: User | None) -> bool:
    """Remove ``user`` from ``project``; False when they did not belong to it."""
    _check(session, project, user, actor)
    existing = _membership(session, project, user)
    if existing is None:
        return False
    session.delete(existing)
    before = {"user": user.email, "role": user.role}
    audit(
        session,
        actor,
        "project.member_remove",
        "user",
        user.id,
        before,
        None,
        project_id=project.id,
    )
    session.commit()
    return True


def members(session: Session, project: Project, *, role: str | None = None) -> list[User]:
    """The project's members by name, optionally only those with ``role``."""
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.project_id == project.id)
        .order_by(User.name, User.id)
    )
    if role is not None:
        query = query.where(User.role == role)
    return list(session.scalars(query))


def projects_of(session: Session, user: User) -> list[Project]:
    """The projects ``user`` belongs to, by name."""
    query = (
        select(Project)
        .join(Membership, Membership.project_id == Project.id)
        .where(Membership.user_id == user.id)
        .order_by(Project.name, Project.id)
    )
    return list(session.scalars(query))


def _check(session: Session, project: Project, user: User, actor: User | None) -> None:
    if actor is not None:
        require_manager(session, actor, project)
        require_user_admin(actor, user)


def _membership(session: Session, project: Project, user: User) -> Membership | None:
    return session.scalar(
        select(Membership).where(Membership.project_id == project.id, Membership.user_id == user.id)
    )
