"""Annotator pages: the project list, a project's home and the judging page.

The judging page leases the next item on load (or hands back the live lease on reload) and shows it
through ``lease_view``, the same view the API serves. The page's script submits through the API and
then loads the page again for the next item.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from codejury.accounts import can_manage, projects_of
from codejury.assign import NoWork, next_item_for, progress_for
from codejury.assign.leases import own_assignment
from codejury.assign.taxonomy import ERROR_CATEGORIES, SEVERITIES, SKIP_REASONS
from codejury.db.models import Project, User
from codejury.projects import current_guidelines, current_rubric, list_projects
from codejury.web.api.projects import project_for
from codejury.web.deps import CurrentUser, DbSession
from codejury.web.pages.code import highlight_lines, line_diff
from codejury.web.pages.common import pay_rate, pay_summary, settings_of
from codejury.web.templating import render
from codejury.web.views import lease_view

router = APIRouter(include_in_schema=False)

PREFERENCES = (
    ("1", "A much better"),
    ("2", "A better"),
    ("3", "Tie"),
    ("4", "B better"),
    ("5", "B much better"),
)


def visible_projects(session: DbSession, user: User) -> list[Project]:
    if user.role == "admin":
        return list_projects(session)
    return projects_of(session, user)


@router.get("/projects")
def projects(request: Request, session: DbSession, user: CurrentUser) -> Response:
    rows = []
    for project in visible_projects(session, user):
        rows.append(
            {
                "project": project,
                "progress": progress_for(session, user, project),
                "manage": can_manage(session, user, project),
            }
        )
    return render(request, "projects.html", {"rows": rows})


@router.get("/projects/{slug}")
def project_home(request: Request, slug: str, session: DbSession, user: CurrentUser) -> Response:
    project = project_for(session, user, slug)
    context = {
        "project": project,
        "guidelines": current_guidelines(session, project),
        "rubric": current_rubric(session, project),
        "pay": pay_summary(pay_rate(session, project)),
        "progress": progress_for(session, user, project),
        "manage": can_manage(session, user, project),
    }
    return render(request, "project.html", context)


def _candidate_blocks(view: dict[str, Any]) -> list[dict[str, Any]]:
    language = str(view["task"]["language"] or "text")
    return [{**c, "lines": highlight_lines(c["content"], language)} for c in view["candidates"]]


def _client_data(
    view: dict[str, Any], blocks: list[dict[str, Any]], idle: int, purpose: str = "work"
) -> dict[str, Any]:
    """What the page script needs: ids, labels, line counts, criteria; nothing it could leak."""
    return {
        "assignment_id": view["assignment_id"],
        "project": view["project"],
        "mode": view["mode"],
        "purpose": purpose,
        "idle_seconds": idle,
        "candidates": [
            {"id": b["id"], "label": b["label"], "lines": len(b["lines"])} for b in blocks
        ],
        "criteria": [
            {"name": c["name"], "min": c.get("min", 1), "max": c.get("max", 5)}
            for c in view["rubric"]["criteria"]
        ],
    }


@router.get("/projects/{slug}/judge")
def judge(
    request: Request, slug: str, session: DbSession, user: CurrentUser, purpose: str = "work"
) -> Response:
    project = project_for(session, user, slug)
    lease = next_item_for(session, user, project, purpose=purpose)
    progress = progress_for(session, user, project)
    manage = can_manage(session, user, project)
    base = {"project": project, "progress": progress, "manage": manage, "purpose": purpose}
    if isinstance(lease, NoWork):
        return render(request, "judge.html", {**base, "no_work": asdict(lease)})
    view = lease_view(session, own_assignment(session, user, lease.assignment_id))
    blocks = _candidate_blocks(view)
    diff = line_diff(blocks[0]["content"], blocks[1]["content"]) if len(blocks) > 1 else []
    context = {
        **base,
        "view": view,
        "candidates": blocks,
        "diff": diff,
        "preferences": PREFERENCES,
        "categories": ERROR_CATEGORIES,
        "severities": SEVERITIES,
        "skip_reasons": SKIP_REASONS,
        "client": _client_data(view, blocks, settings_of(request).idle_seconds, purpose),
        "expires_at": lease.expires_at,
    }
    return render(request, "judge.html", context)
