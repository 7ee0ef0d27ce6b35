"""People pages (staff): users, roles, skills, invitations and reset links; the whole audit log.

A user made without a password gets a one-time invitation link, shown once on the next page for the
manager to hand over (there is no mail server).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from codejury.accounts import (
    actor_label,
    audit_log,
    create_invite,
    create_reset,
    create_user,
    deactivate,
    get_user,
    link_path,
    list_users,
    reactivate,
    require_grant,
    require_user_admin,
    update_user,
)
from codejury.web.deps import Admin, DbSession, Staff
from codejury.web.pages.common import form_str, redirect
from codejury.web.templating import render

router = APIRouter(include_in_schema=False)
ROLES = ("annotator", "manager", "admin")


def _skills(text: str) -> list[str]:
    return [s.strip() for s in text.split(",") if s.strip()]


@router.get("/users")
def users(request: Request, session: DbSession, user: Staff) -> Response:
    context = {"users": list_users(session), "roles": ROLES}
    return render(request, "manage/users.html", context)


def _link_page(request: Request, kind: str, email: str, token: str) -> Response:
    link = str(request.base_url).rstrip("/") + link_path(
        "invite" if kind == "invite" else "reset", token
    )
    return render(request, "manage/link.html", {"kind": kind, "email": email, "link": link})


@router.post("/users")
async def create(request: Request, session: DbSession, actor: Staff) -> Response:
    form = await request.form()
    role = form_str(form, "role", "annotator") or "annotator"
    require_grant(actor, role)
    user = create_user(
        session,
        form_str(form, "email"),
        form_str(form, "name"),
        role,
        skills=_skills(form_str(form, "skills")),
        timezone=form_str(form, "timezone", "UTC") or "UTC",
        actor=actor,
    )
    return _link_page(request, "invite", user.email, create_invite(session, user, actor))


@router.post("/users/{user_id}")
async def change(request: Request, user_id: int, session: DbSession, actor: Staff) -> Response:
    target = get_user(session, user_id)
    require_user_admin(actor, target)
    form = await request.form()
    role = form_str(form, "role") or target.role
    if role != target.role:
        require_grant(actor, role)
    update_user(
        session,
        target,
        actor=actor,
        role=role,
        skills=_skills(form_str(form, "skills")),
        timezone=form_str(form, "timezone") or target.timezone,
    )
    active = form.get("active") == "on"
    if target.active and not active:
        deactivate(session, target, actor)
    elif active and not target.active and target.password_hash is not None:
        reactivate(session, target, actor)
    return redirect("/users", "saved")


@router.post("/users/{user_id}/link")
def link(request: Request, user_id: int, session: DbSession, actor: Staff) -> Response:
    """An invitation for someone who never set a password, else a password reset."""
    target = get_user(session, user_id)
    require_user_admin(actor, target)
    if target.password_hash is None:
        return _link_page(request, "invite", target.email, create_invite(session, target, actor))
    return _link_page(request, "reset", target.email, create_reset(session, target, actor))


@router.get("/audit")
def audit(request: Request, session: DbSession, user: Admin, before: int | None = None) -> Response:
    events = audit_log(session, limit=100, before_id=before)
    rows = [{"event": e, "actor": actor_label(session, e)} for e in events]
    return render(request, "manage/audit.html", {"project": None, "rows": rows})
