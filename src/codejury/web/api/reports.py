"""Reports for managers: the project's model leaderboard and one model's weakness report."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from codejury.report.store import MAX_ROUNDS, model_weakness, project_leaderboards
from codejury.report.weakness import report_dict
from codejury.web.api.projects import project_for
from codejury.web.deps import CurrentUser, DbSession

router = APIRouter(tags=["reports"])


@router.get("/projects/{slug}/leaderboard")
def leaderboard(
    slug: str,
    session: DbSession,
    user: CurrentUser,
    by: str | None = Query(None, max_length=100, description="language, kind or a tag key"),
    seed: int = 0,
    rounds: int = Query(200, ge=0, le=MAX_ROUNDS),
    include_synthetic: bool = False,
) -> dict[str, Any]:
    """Sources ranked by Bradley–Terry over counted human judgments, per slice of ``by``."""
    project = project_for(session, user, slug, manage=True)
    boards = project_leaderboards(
        session, project, by=by, rounds=rounds, seed=seed, include_synthetic=include_synthetic
    )
    return {"project": project.slug, "by": by, "slices": [b.as_dict() for b in boards]}


@router.get("/projects/{slug}/weakness")
def weakness(
    slug: str,
    session: DbSession,
    user: CurrentUser,
    model: str = Query(..., min_length=1, max_length=200),
    budget: int = Query(500, ge=0, le=1_000_000),
    min_judgments: int = Query(30, ge=0),
    include_synthetic: bool = False,
) -> dict[str, Any]:
    """One model's weak slices, disagreements with the tests and the next-round plan."""
    project = project_for(session, user, slug, manage=True)
    report = model_weakness(
        session,
        project,
        model,
        budget=budget,
        min_judgments=min_judgments,
        include_synthetic=include_synthetic,
    )
    return {"project": project.slug, **report_dict(report)}
