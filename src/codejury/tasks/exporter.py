"""Write a project's tasks with their candidates in the import format; a round trip changes nothing."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from codejury.db.models import Candidate, Project, Task


def task_records(session: Session, project: Project) -> Iterator[dict[str, Any]]:
    tasks = session.scalars(
        select(Task).where(Task.project_id == project.id).order_by(Task.id)
    ).all()
    by_task: dict[int, list[Candidate]] = defaultdict(list)
    for cand in session.scalars(
        select(Candidate)
        .join(Task, Task.id == Candidate.task_id)
        .where(Task.project_id == project.id)
        .order_by(Candidate.id)
    ):
        by_task[cand.task_id].append(cand)
    for task in tasks:
        record: dict[str, Any] = {
            "external_id": task.external_id,
            "prompt": task.prompt,
            "kind": task.kind,
            "language": task.language,
            "tags": task.tags,
        }
        if task.tests is not None:
            record["tests"] = task.tests
        if task.reference is not None:
            record["reference"] = task.reference
        record["candidates"] = [_candidate(c) for c in by_task[task.id]]
        yield record


def _candidate(cand: Candidate) -> dict[str, Any]:
    out: dict[str, Any] = {"source": cand.source, "content": cand.content}
    if cand.source_meta:
        out["meta"] = cand.source_meta
    if cand.structured is not None:
        out["structured"] = cand.structured
    if cand.synthetic:
        out["synthetic"] = True
    if cand.exec_status is not None:
        out["execution"] = {
            "status": cand.exec_status,
            "result": cand.exec_result,
            "key": cand.exec_key,
        }
    return out


def write_tasks(session: Session, project: Project, out: TextIO) -> int:
    count = 0
    for record in task_records(session, project):
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count
