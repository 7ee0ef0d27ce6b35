"""An annotator's work loop: next item, the item, submit (idempotent), revise, release, own progress."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Header

from codejury.assign import (
    JudgmentIn,
    NoWork,
    next_item_for,
    progress_for,
    release,
    revise_judgment,
    submit_judgment,
)
from codejury.assign.leases import own_assignment
from codejury.web.api.projects import project_for
from codejury.web.deps import CurrentUser, DbSession
from codejury.web.views import assignment_view, lease_view

router = APIRouter(tags=["work"])
IdempotencyKey = Annotated[
    str,
    Header(
        description="Any unique string per judgment or revision; a retry with the same key never "
        "stores it twice."
    ),
]


@router.post("/projects/{slug}/next")
def next_item(
    slug: str, session: DbSession, user: CurrentUser, purpose: str = "work"
) -> dict[str, Any]:
    """Lease the next item (or hand back the live one). ``{"no_work": {code, reason}}`` when there is none."""
    project = project_for(session, user, slug)
    lease = next_item_for(session, user, project, purpose=purpose)
    if isinstance(lease, NoWork):
        return {"no_work": asdict(lease)}
    return lease_view(session, own_assignment(session, user, lease.assignment_id))


@router.get("/assignments/{assignment_id}")
def read(assignment_id: int, session: DbSession, user: CurrentUser) -> dict[str, Any]:
    return assignment_view(session, user, assignment_id)


@router.post("/assignments/{assignment_id}/judgment")
def submit(
    assignment_id: int,
    body: JudgmentIn,
    session: DbSession,
    user: CurrentUser,
    idempotency_key: IdempotencyKey,
) -> dict[str, Any]:
    result = submit_judgment(session, user, assignment_id, body, idempotency_key=idempotency_key)
    return asdict(result)


@router.post("/judgments/{judgment_id}/revision")
def revise(
    judgment_id: int,
    body: JudgmentIn,
    session: DbSession,
    user: CurrentUser,
    idempotency_key: IdempotencyKey,
) -> dict[str, Any]:
    """Revise one's own judgment: a new judgment supersedes it and takes over its counted flag."""
    result = revise_judgment(session, user, judgment_id, body, idempotency_key=idempotency_key)
    return asdict(result)


@router.post("/assignments/{assignment_id}/release", status_code=204)
def give_back(
    assignment_id: int, session: DbSession, user: CurrentUser, active_seconds: float | None = None
) -> None:
    release(session, user, assignment_id, active_seconds=active_seconds)


@router.get("/projects/{slug}/progress/me")
def my_progress(slug: str, session: DbSession, user: CurrentUser) -> dict[str, Any]:
    project = project_for(session, user, slug)
    return asdict(progress_for(session, user, project))
