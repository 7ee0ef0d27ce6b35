"""Annotator pages: the project list, a project's home and the judging page.

The judging page leases the next item on load (or hands back the live lease on reload) and shows it
through ``lease_view``, the same view the API serves. The page's script submits through the API and
then loads the page again for the next item.

The revision page is the judging page on one of the annotator's own judgments (``judgment_view``,
as ``GET /api/v1/judgments/{id}`` serves it): the earlier answer filled in, the newest review above
it; the script posts the revision to the API and goes back to "My reviews".
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from codejury.accounts import can_manage, projects_of
from codejury.assign import NoWork, next_item_for, own_judgment, progress_for, revision_refusal
from codejury.assign.leases import own_assignment
from codejury.assign.taxonomy import ERROR_CATEGORIES, SEVERITIES, SKIP_REASONS
from codejury.db.models import Project, User
from codejury.projects import current_guidelines, current_rubric, list_projects
from codejury.web.api.judgments import judgment_view
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
# What the revision page fills in from the earlier judgment.
ANSWER = ("ranking", "strength", "ratings", "error_spans", "rationale", "corrected_code")


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
        "assignment_id": view.get("assignment_id"),
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


def _judging_context(
    request: Request, view: dict[str, Any], base: dict[str, Any]
) -> dict[str, Any]:
    """What the judging page shows of an item, for a new judgment or a revision alike."""
    blocks = _candidate_blocks(view)
    diff = line_diff(blocks[0]["content"], blocks[1]["content"]) if len(blocks) > 1 else []
    idle = settings_of(request).idle_seconds
    return {
        **base,
        "view": view,
        "candidates": blocks,
        "diff": diff,
        "preferences": PREFERENCES,
        "categories": ERROR_CATEGORIES,
        "severities": SEVERITIES,
        "skip_reasons": SKIP_REASONS,
        "client": _client_data(view, blocks, idle, base["purpose"]),
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
    context = _judging_context(request, view, base)
    return render(request, "judge.html", {**context, "expires_at": lease.expires_at})


@router.get("/judgments/{judgment_id}/revise")
def revise(request: Request, judgment_id: int, session: DbSession, user: CurrentUser) -> Response:
    """The judging page on one's own judgment: the same item in the order it was shown, the
    earlier answer filled in and the newest review above; the script posts the revision to the API."""
    judgment = own_judgment(session, user, judgment_id)
    refusal = revision_refusal(judgment)
    if refusal is not None:
        raise refusal
    project = session.get_one(Project, judgment.project_id)
    shown = judgment_view(session, judgment)
    base = {
        "project": project,
        "progress": progress_for(session, user, project),
        "manage": can_manage(session, user, project),
        "purpose": "work",
        "revision": shown,
    }
    context = _judging_context(request, shown["item"], base)
    review = shown["review"]
    done = "/me/reviews?notice=revised" + (f"#review-{review['id']}" if review else "")
    context["client"]["revision"] = {
        "judgment_id": judgment.id,
        "answer": {k: shown[k] for k in ANSWER},
        "done_url": done,
    }
    return render(request, "judge.html", context)
