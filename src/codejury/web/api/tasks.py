"""Tasks, candidates and items of a project (managers only: items reveal gold answers)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from sqlalchemy import select

from codejury.db.models import Candidate, Item, Task
from codejury.errors import InvalidInput
from codejury.tasks.importer import import_tasks
from codejury.tasks.schema import TaskIn
from codejury.web.api.projects import project_for
from codejury.web.deps import CurrentUser, DbSession
from codejury.web.views import evidence

router = APIRouter(tags=["tasks"])


def parse_jsonl(text: str, name: str = "upload") -> list[TaskIn]:
    """Validate a JSONL upload; every problem is reported as ``NAME:LINE: field: problem``."""
    problems: list[str] = []
    tasks: list[TaskIn] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            task = TaskIn.model_validate_json(line)
        except ValidationError as exc:
            for err in exc.errors():
                loc = (
                    ".".join(str(p) for p in err["loc"] if "[" not in str(p) and p not in ("str",))
                    or "record"
                )
                if err["type"] == "json_invalid":
                    loc = "record"
                problems.append(f"{name}:{number}: {loc}: {err['msg']}")
            continue
        if task.external_id in seen:
            problems.append(f"{name}:{number}: external_id: {task.external_id!r} appears twice")
        seen.add(task.external_id)
        tasks.append(task)
    if problems:
        raise InvalidInput(f"{name}: {len(problems)} problem(s); nothing was imported", problems)
    return tasks


@router.post("/projects/{slug}/tasks")
async def upload(
    slug: str, request: Request, session: DbSession, user: CurrentUser, update: bool = False
) -> dict[str, Any]:
    """Import tasks: the body is JSONL in the import format (docs/task-format.md). Atomic."""
    project = project_for(session, user, slug, manage=True)
    text = (await request.body()).decode("utf-8", errors="replace")
    summary = import_tasks(session, project, parse_jsonl(text), update_changed=update)
    return vars(summary)


@router.get("/projects/{slug}/tasks")
def list_tasks(
    slug: str,
    session: DbSession,
    user: CurrentUser,
    limit: int = Query(100, le=1000),
    after: int = 0,
) -> list[dict[str, Any]]:
    project = project_for(session, user, slug, manage=True)
    rows = session.scalars(
        select(Task)
        .where(Task.project_id == project.id, Task.id > after)
        .order_by(Task.id)
        .limit(limit)
    )
    return [
        {
            "id": t.id,
            "external_id": t.external_id,
            "kind": t.kind,
            "language": t.language,
            "tags": t.tags,
            "prompt": t.prompt,
        }
        for t in rows
    ]


@router.get("/projects/{slug}/tasks/{task_id}/candidates")
def candidates(
    slug: str, task_id: int, session: DbSession, user: CurrentUser
) -> list[dict[str, Any]]:
    project = project_for(session, user, slug, manage=True)
    task = session.get(Task, task_id)
    if task is None or task.project_id != project.id:
        from codejury.errors import NotFound

        raise NotFound(f"no task {task_id} in project {slug!r}")
    rows = session.scalars(
        select(Candidate).where(Candidate.task_id == task.id).order_by(Candidate.id)
    )
    return [
        {
            "id": c.id,
            "source": c.source,
            "meta": c.source_meta,
            "content": c.content,
            "synthetic": c.synthetic,
            "evidence": evidence(c),
        }
        for c in rows
    ]


@router.get("/projects/{slug}/items")
def items(
    slug: str,
    session: DbSession,
    user: CurrentUser,
    gold: bool | None = None,
    limit: int = Query(100, le=1000),
    after: int = 0,
) -> list[dict[str, Any]]:
    project = project_for(session, user, slug, manage=True)
    stmt = (
        select(Item)
        .where(Item.project_id == project.id, Item.id > after)
        .order_by(Item.id)
        .limit(limit)
    )
    if gold is not None:
        stmt = stmt.where(Item.is_gold == gold)
    return [
        {
            "id": i.id,
            "task_id": i.task_id,
            "candidate_ids": i.candidate_ids,
            "purpose": i.purpose,
            "is_gold": i.is_gold,
            "gold_answer": i.gold_answer,
            "priority": i.priority,
            "counted": i.counted,
        }
        for i in session.scalars(stmt)
    ]
