"""Judgments: managers read and export all of a project's; annotators only their own.

``GET /judgments/{id}`` is the author's own view of one judgment: the answer, its review and
revision state, and the item as they were shown it (to revise it); anyone else gets 404.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from codejury.accounts import can_manage
from codejury.assign import own_judgment, revision_refusal
from codejury.db.models import ErrorSpan, Judgment, Project, User
from codejury.quality.review import review_of
from codejury.web.api.projects import project_for
from codejury.web.deps import CurrentUser, DbSession
from codejury.web.views import judgment_item_view

router = APIRouter(tags=["judgments"])
FIELDS = (
    "id",
    "item_id",
    "user_id",
    "judge_kind",
    "ranking",
    "strength",
    "shown_order",
    "ratings",
    "rationale",
    "corrected_code",
    "skip_reason",
    "guideline_version",
    "rubric_version",
    "server_seconds",
    "active_seconds",
    "counted",
    "late",
    "supersedes_id",
    "superseded",
    "status",
)


def judgment_public(j: Judgment, spans: list[ErrorSpan]) -> dict[str, Any]:
    out = {f: getattr(j, f) for f in FIELDS}
    out["created_at"] = j.created_at.isoformat()
    out["error_spans"] = [
        {
            "candidate_id": s.candidate_id,
            "line_start": s.line_start,
            "line_end": s.line_end,
            "step": s.step,
            "category": s.category,
            "severity": s.severity,
            "note": s.note,
        }
        for s in spans
    ]
    return out


def judgment_view(session: Session, judgment: Judgment) -> dict[str, Any]:
    """One judgment as its author sees it: the answer, the newest review (``None`` without one),
    the judgment that revised it (``revision_id``), whether it can be revised now, and ``item``,
    the item in the display order it was judged in."""
    spans = session.scalars(
        select(ErrorSpan).where(ErrorSpan.judgment_id == judgment.id).order_by(ErrorSpan.id)
    )
    revision_id = session.scalar(select(Judgment.id).where(Judgment.supersedes_id == judgment.id))
    return judgment_public(judgment, list(spans)) | {
        "review": review_of(session, judgment),
        "revision_id": revision_id,
        "revisable": revision_refusal(judgment) is None,
        "item": judgment_item_view(session, judgment),
    }


def list_judgments(
    session: Session,
    project: Project,
    user: User,
    mine: bool,
    status: str | None,
    annotator: int | None,
    limit: int,
    after: int,
) -> list[dict[str, Any]]:
    stmt = (
        select(Judgment)
        .where(Judgment.project_id == project.id, Judgment.id > after)
        .order_by(Judgment.id)
        .limit(limit)
    )
    if mine or not can_manage(session, user, project):
        stmt = stmt.where(Judgment.user_id == user.id)
    elif annotator is not None:
        stmt = stmt.where(Judgment.user_id == annotator)
    if status:
        stmt = stmt.where(Judgment.status == status)
    rows = list(session.scalars(stmt))
    spans: dict[int, list[ErrorSpan]] = {}
    if rows:
        for s in session.scalars(
            select(ErrorSpan).where(ErrorSpan.judgment_id.in_([j.id for j in rows]))
        ):
            spans.setdefault(s.judgment_id, []).append(s)
    return [judgment_public(j, spans.get(j.id, [])) for j in rows]


@router.get("/projects/{slug}/judgments")
def list_(
    slug: str,
    session: DbSession,
    user: CurrentUser,
    mine: bool = False,
    status: str | None = None,
    annotator: int | None = None,
    limit: int = Query(100, ge=1, le=1000),
    after: int = Query(0, ge=0, description="Return judgments with ids above this (paging)."),
) -> list[dict[str, Any]]:
    """Managers see every judgment of the project (filter by annotator/status); annotators their own."""
    project = project_for(session, user, slug)
    return list_judgments(session, project, user, mine, status, annotator, limit, after)


@router.get("/projects/{slug}/judgments/export")
def export(slug: str, session: DbSession, user: CurrentUser) -> Response:
    """Every judgment the caller may see, as JSONL."""
    project = project_for(session, user, slug)
    lines: list[str] = []
    after = 0
    while batch := list_judgments(session, project, user, False, None, None, 1000, after):
        lines.extend(json.dumps(row) + "\n" for row in batch)
        after = batch[-1]["id"]
    return Response("".join(lines), media_type="application/x-ndjson")


@router.get("/judgments/{judgment_id}")
def read(judgment_id: int, session: DbSession, user: CurrentUser) -> dict[str, Any]:
    """The caller's own judgment (someone else's reads as not found), with what revising it needs."""
    return judgment_view(session, own_judgment(session, user, judgment_id))
