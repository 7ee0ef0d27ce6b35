"""Atomic, idempotent task import.

The same file twice changes nothing. A task whose content changed under the same external id stops the
import with the list of such ids, unless ``update=True`` (allowed only for tasks nobody has judged yet).
Everything happens in one transaction: on any error nothing is written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from codejury.candidates.hashing import normalized_hash
from codejury.db.base import utcnow
from codejury.db.models import Candidate, Item, Judgment, Project, Task
from codejury.errors import Conflict
from codejury.tasks.schema import CandidateIn, TaskIn, task_hash

logger = logging.getLogger(__name__)
BATCH = 2000
Progress = Callable[[int], None]


@dataclass(frozen=True)
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    candidates_added: int = 0

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated or self.candidates_added)


def import_tasks(
    session: Session,
    project: Project,
    tasks: Sequence[TaskIn],
    *,
    update_changed: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    existing = {
        ext: (tid, h)
        for tid, ext, h in session.execute(
            select(Task.id, Task.external_id, Task.content_hash).where(
                Task.project_id == project.id
            )
        )
    }
    fields = [t.task_fields() for t in tasks]
    hashes = [task_hash(f) for f in fields]
    changed = [
        t.external_id
        for t, h in zip(tasks, hashes, strict=True)
        if t.external_id in existing and existing[t.external_id][1] != h
    ]
    if changed and not update_changed:
        raise Conflict(
            _changed_message(
                changed, "use --update to replace them (only for tasks nobody has judged)"
            )
        )
    if changed:
        _refuse_judged(session, [existing[e][0] for e in changed])

    new_rows = []
    for task, f, h in zip(tasks, fields, hashes, strict=True):
        if task.external_id not in existing:
            new_rows.append(
                {**f, "project_id": project.id, "content_hash": h, "created_at": utcnow()}
            )
    existing_ids = {e: v[0] for e, v in existing.items()}
    ids = dict(existing_ids)
    for start in range(0, len(new_rows), BATCH):
        chunk = new_rows[start : start + BATCH]
        for tid, ext in session.execute(
            insert(Task).returning(Task.id, Task.external_id, sort_by_parameter_order=True), chunk
        ):
            ids[ext] = tid
        if progress:
            progress(len(chunk))
    for ext, f, h in (
        (t.external_id, f, h)
        for t, f, h in zip(tasks, fields, hashes, strict=True)
        if t.external_id in changed
    ):
        session.execute(
            update(Task).where(Task.id == existing_ids[ext]).values(**f, content_hash=h)
        )
    added = _add_candidates(session, tasks, ids)
    session.commit()
    summary = ImportSummary(
        created=len(new_rows),
        updated=len(changed),
        unchanged=len(tasks) - len(new_rows) - len(changed),
        candidates_added=added,
    )
    logger.info(
        "tasks imported",
        extra={"project": project.slug, **{f"tasks_{k}": v for k, v in vars(summary).items()}},
    )
    return summary


def _changed_message(ids: list[str], hint: str) -> str:
    shown = ", ".join(ids[:20]) + (f" and {len(ids) - 20} more" if len(ids) > 20 else "")
    return f"{len(ids)} task(s) changed under the same external_id: {shown}; {hint}"


def _refuse_judged(session: Session, task_ids: list[int]) -> None:
    judged = session.scalars(
        select(Task.external_id)
        .join(Item, Item.task_id == Task.id)
        .join(Judgment, Judgment.item_id == Item.id)
        .where(Task.id.in_(task_ids))
        .distinct()
    ).all()
    if judged:
        raise Conflict(
            _changed_message(sorted(judged), "they have judgments already and cannot be replaced")
        )


def _add_candidates(session: Session, tasks: Sequence[TaskIn], ids: dict[str, int]) -> int:
    with_candidates = [t for t in tasks if t.candidates]
    if not with_candidates:
        return 0
    task_ids = [ids[t.external_id] for t in with_candidates]
    present: set[tuple[int, str]] = set()
    for start in range(0, len(task_ids), BATCH):
        present.update(
            session.execute(
                select(Candidate.task_id, Candidate.content_hash).where(
                    Candidate.task_id.in_(task_ids[start : start + BATCH])
                )
            ).tuples()
        )
    rows: list[dict[str, Any]] = []
    for task in with_candidates:
        tid = ids[task.external_id]
        for cand in task.candidates:
            key = (tid, normalized_hash(cand.content))
            if key in present:
                continue
            present.add(key)
            rows.append(_candidate_row(tid, key[1], cand))
    for start in range(0, len(rows), BATCH):
        session.execute(insert(Candidate), rows[start : start + BATCH])
    return len(rows)


def _candidate_row(task_id: int, content_hash: str, cand: CandidateIn) -> dict[str, Any]:
    execution = cand.execution or {}
    return {
        "task_id": task_id,
        "source": cand.source,
        "source_meta": cand.meta,
        "content": cand.content,
        "structured": cand.structured,
        "content_hash": content_hash,
        "synthetic": cand.synthetic,
        "exec_status": execution.get("status"),
        "exec_result": execution.get("result"),
        "exec_key": execution.get("key"),
        "created_at": utcnow(),
    }
