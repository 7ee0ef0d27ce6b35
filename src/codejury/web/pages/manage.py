"""Manager pages for one project: create it, edit settings, guidelines and rubric, publish it,
upload tasks, add members, and watch progress, judgments and the audit log.

Forms post here with the session's CSRF token; a refused change raises the domain error, which the
error page shows with every problem (e.g. each bad line of an upload).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from starlette.datastructures import UploadFile

from codejury.accounts import (
    actor_label,
    add_member,
    audit_log,
    members,
    require_user_by_email,
)
from codejury.assign import gold_pool_status, project_progress
from codejury.db.models import GuidelineVersion, Project, User
from codejury.errors import InvalidInput
from codejury.projects import create_project, current_rubric, update_guidelines, update_rubric
from codejury.projects import update_settings as change_settings
from codejury.tasks.importer import import_tasks
from codejury.web.api.judgments import list_judgments as judgment_rows
from codejury.web.api.projects import add_creator, project_for
from codejury.web.api.tasks import parse_jsonl
from codejury.web.deps import CurrentUser, DbSession, Staff
from codejury.web.pages.common import form_str, redirect
from codejury.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/projects/new")
def new_form(request: Request, user: Staff) -> Response:
    return render(request, "manage/new.html", {})


@router.post("/projects/new")
async def new(request: Request, session: DbSession, user: Staff) -> Response:
    form = await request.form()
    slug = form_str(form, "slug")
    project = create_project(
        session,
        slug,
        name=form_str(form, "name") or None,
        mode=form_str(form, "mode", "pairwise") or "pairwise",
        overlap=_int(form_str(form, "overlap", "3"), "overlap"),
        actor=user,
    )
    if user.role == "manager":
        add_creator(session, project, user)
    return redirect(f"/projects/{project.slug}/manage", "created")


def _int(text: str, name: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"{name}: {text!r} is not a whole number", [f"{name}: not a number"])


def _float(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InvalidInput(f"{name}: {text!r} is not a number", [f"{name}: not a number"])


@router.get("/projects/{slug}/manage")
def manage(request: Request, slug: str, session: DbSession, user: CurrentUser) -> Response:
    project = project_for(session, user, slug, manage=True)
    versions = list(
        session.scalars(
            select(GuidelineVersion)
            .where(GuidelineVersion.project_id == project.id)
            .order_by(GuidelineVersion.version.desc())
        )
    )
    rubric = current_rubric(session, project)
    context = {
        "project": project,
        "guidelines": versions[0],
        "versions": versions,
        "rubric": rubric,
        "rubric_json": json.dumps(rubric.criteria, indent=2),
        "members": members(session, project),
    }
    return render(request, "manage/project.html", context)


def _settings_from(form: Any) -> dict[str, Any]:
    warnings = [w.strip() for w in form_str(form, "content_warnings").split(",") if w.strip()]
    return {
        "name": form_str(form, "name") or None,
        "mode": form_str(form, "mode") or None,
        "k": _int(form_str(form, "k", "2"), "k"),
        "overlap": _int(form_str(form, "overlap", "3"), "overlap"),
        "gold_rate": _float(form_str(form, "gold_rate", "0.1"), "gold_rate"),
        "hide_evidence": form.get("hide_evidence") == "on",
        "content_warnings": warnings,
        "purpose": {
            "uses": form_str(form, "purpose_uses"),
            "users": form_str(form, "purpose_users"),
            "retention": form_str(form, "purpose_retention"),
            "publishable": form.get("purpose_publishable") == "on",
        },
        "contact": form_str(form, "contact") or None,
        "status": form_str(form, "status") or None,
    }


@router.post("/projects/{slug}/manage/settings")
async def settings(request: Request, slug: str, session: DbSession, user: CurrentUser) -> Response:
    project = project_for(session, user, slug, manage=True)
    changes = {k: v for k, v in _settings_from(await request.form()).items() if v is not None}
    change_settings(session, project, actor=user, **changes)
    return redirect(f"/projects/{slug}/manage", "saved")


@router.post("/projects/{slug}/manage/guidelines")
async def guidelines(
    request: Request, slug: str, session: DbSession, user: CurrentUser
) -> Response:
    project = project_for(session, user, slug, manage=True)
    body = str((await request.form()).get("body") or "").replace("\r\n", "\n")
    update_guidelines(session, project, body, actor=user)
    return redirect(f"/projects/{slug}/manage#guidelines", "saved")


@router.post("/projects/{slug}/manage/rubric")
async def rubric(request: Request, slug: str, session: DbSession, user: CurrentUser) -> Response:
    project = project_for(session, user, slug, manage=True)
    text = str((await request.form()).get("criteria") or "")
    try:
        criteria = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput("rubric: not valid JSON", [f"line {exc.lineno}: {exc.msg}"])
    update_rubric(session, project, criteria, actor=user)
    return redirect(f"/projects/{slug}/manage#rubric", "saved")


@router.post("/projects/{slug}/manage/tasks")
async def upload(request: Request, slug: str, session: DbSession, user: CurrentUser) -> Response:
    project = project_for(session, user, slug, manage=True)
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidInput("choose a JSONL file of tasks to upload", ["file: required"])
    text = (await upload.read()).decode("utf-8", errors="replace")
    tasks = parse_jsonl(text, upload.filename)
    import_tasks(session, project, tasks, update_changed=form.get("update") == "on")
    return redirect(f"/projects/{slug}/manage", "imported")


@router.post("/projects/{slug}/manage/members")
async def member(request: Request, slug: str, session: DbSession, user: CurrentUser) -> Response:
    project = project_for(session, user, slug, manage=True)
    target = require_user_by_email(session, form_str(await request.form(), "email"))
    add_member(session, project, target, user)
    return redirect(f"/projects/{slug}/manage#members", "member_added")


@router.get("/projects/{slug}/progress")
def progress(request: Request, slug: str, session: DbSession, user: CurrentUser) -> Response:
    project = project_for(session, user, slug, manage=True)
    numbers = project_progress(session, project)
    peak = max([n for _, n in numbers.judgments_per_hour] + [1])
    context = {
        "project": project,
        "progress": numbers,
        "peak": peak,
        "gold": gold_pool_status(session, project),
    }
    return render(request, "manage/progress.html", context)


def _annotators(session: DbSession, project: Project) -> list[User]:
    return [u for u in members(session, project) if u.role == "annotator"]


@router.get("/projects/{slug}/judgments")
def judgments(
    request: Request,
    slug: str,
    session: DbSession,
    user: CurrentUser,
    annotator: int | None = None,
    status: str | None = None,
    after: int = 0,
) -> Response:
    project = project_for(session, user, slug, manage=True)
    rows = judgment_rows(session, project, user, False, status or None, annotator, 100, after)
    names = {u.id: u.name for u in members(session, project)}
    context = {
        "project": project,
        "rows": rows,
        "names": names,
        "annotators": _annotators(session, project),
        "annotator": annotator,
        "status": status or "",
        "statuses": ("pending", "accepted", "rejected"),
    }
    return render(request, "manage/judgments.html", context)


@router.get("/projects/{slug}/audit")
def project_audit(
    request: Request, slug: str, session: DbSession, user: CurrentUser, before: int | None = None
) -> Response:
    project = project_for(session, user, slug, manage=True)
    events = audit_log(session, project_id=project.id, limit=100, before_id=before)
    rows = [{"event": e, "actor": actor_label(session, e)} for e in events]
    return render(request, "manage/audit.html", {"project": project, "rows": rows})
