"""JSON twins of the manager's progress and audit pages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from codejury.accounts import actor_label, audit_log
from codejury.assign import gold_pool_status, project_progress
from codejury.quality.report import plain
from codejury.web.api.projects import project_for
from codejury.web.deps import CurrentUser, DbSession

router = APIRouter(tags=["manage"])


@router.get("/projects/{slug}/progress")
def progress(slug: str, session: DbSession, user: CurrentUser) -> dict[str, Any]:
    """Items by state, judgments per hour (last 24 hours), per annotator, and the gold pool."""
    project = project_for(session, user, slug, manage=True)
    return {
        "progress": plain(project_progress(session, project)),
        "gold_pool": plain(gold_pool_status(session, project)),
    }


@router.get("/projects/{slug}/audit")
def audit(
    slug: str,
    session: DbSession,
    user: CurrentUser,
    before: int | None = None,
    limit: int = Query(100, ge=1, le=500),
) -> list[dict[str, Any]]:
    """The project's audit events, newest first; page on with ``before`` (the last id seen)."""
    project = project_for(session, user, slug, manage=True)
    events = audit_log(session, project_id=project.id, limit=limit, before_id=before)
    return [
        {
            "id": e.id,
            "at": e.created_at.isoformat(),
            "actor_id": e.actor_id,
            "actor": actor_label(session, e),
            "via": e.via,
            "action": e.action,
            "target_type": e.target_type,
            "target_id": e.target_id,
            "before": e.before,
            "after": e.after,
        }
        for e in events
    ]
