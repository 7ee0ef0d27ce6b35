"""Who may do what: authorisation rules as plain functions (the role matrix is in docs/accounts.md).

- admin: everything, in every project.
- manager: manages the projects they are a member of.
- annotator: works in the projects they are a member of.

``require_*`` raise Forbidden with a message saying what was needed; ``can_*`` answer with a bool.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from codejury.db.models import Membership, Project, User
from codejury.errors import Forbidden


def is_member(session: Session, project: Project, user: User) -> bool:
    """Whether ``user`` belongs to ``project`` (by membership; admins need none)."""
    found = session.scalar(
        select(Membership.id).where(
            Membership.project_id == project.id, Membership.user_id == user.id
        )
    )
    return found is not None


def require_active(user: User) -> None:
    if not user.active:
        raise Forbidden(f"{user.email} is deactivated")


def require_role(user: User, *roles: str) -> None:
    """Raise Forbidden unless ``user`` is active and has one of ``roles``."""
    require_active(user)
    if user.role not in roles:
        needed = " or ".join(roles)
        raise Forbidden(f"this needs the {needed} role; {user.email} is {user.role}")


def can_manage(session: Session, user: User, project: Project) -> bool:
    """Admins manage every project; a manager manages the projects they belong to."""
    if not user.active:
        return False
    if user.role == "admin":
        return True
    return user.role == "manager" and is_member(session, project, user)


def require_manager(session: Session, user: User, project: Project) -> None:
    if not can_manage(session, user, project):
        raise Forbidden(f"{user.email} does not manage project {project.slug}")


def can_access(session: Session, user: User, project: Project) -> bool:
    """Admins see every project; managers and annotators the projects they belong to."""
    if not user.active:
        return False
    return user.role == "admin" or is_member(session, project, user)


def require_member(session: Session, user: User, project: Project) -> None:
    """Raise Forbidden unless ``user`` belongs to ``project`` (admins always do)."""
    if not can_access(session, user, project):
        raise Forbidden(f"{user.email} is not a member of project {project.slug}")


def can_act_on_user(actor: User, target: User) -> bool:
    """Admins manage every account; managers manage annotators (not managers or admins)."""
    if not actor.active:
        return False
    if actor.role == "admin":
        return True
    return actor.role == "manager" and target.role == "annotator"


def require_user_admin(actor: User, target: User) -> None:
    """Raise Forbidden unless ``actor`` may change ``target``'s account (role, links, tokens)."""
    if not can_act_on_user(actor, target):
        raise Forbidden(
            f"{actor.email} ({actor.role}) may not change the account of {target.email}"
        )


def require_grant(actor: User, role: str) -> None:
    """Raise Forbidden unless ``actor`` may give ``role``: only admins make managers and admins."""
    require_active(actor)
    if actor.role == "admin" or (actor.role == "manager" and role == "annotator"):
        return
    raise Forbidden(f"{actor.email} ({actor.role}) may not give the {role} role")


def check_account_change(actor: User | None, target: User, *, role: str | None = None) -> None:
    """The rule the account services apply themselves: ``actor=None`` (the command line) may do
    anything; otherwise the actor must be allowed to change ``target`` and to grant ``role``."""
    if actor is None:
        return
    if actor.id != target.id or role is not None:
        require_user_admin(actor, target)
    if role is not None:
        require_grant(actor, role)
