"""Database glue for candidates and items: adding candidates without duplicates, building items
with a pairing strategy, creating gold items and marking any item gold."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from codejury.accounts.audit import audit
from codejury.candidates.gold import Verified, gold_answer, gold_pairs, validate_answer
from codejury.candidates.hashing import normalized_hash
from codejury.candidates.pairing import FAILING, CandidateInfo, plan_groups
from codejury.db.models import Candidate, Item, ItemCandidate, Project, Task, User, candidate_key
from codejury.errors import NotFound

logger = logging.getLogger(__name__)


class CandidateWriter:
    """Adds candidates to tasks, dropping any whose normalised content the task already has."""

    def __init__(self, session: Session, task_ids: Sequence[int] = ()) -> None:
        self.session = session
        self._hashes: dict[int, set[str]] = {}
        ids = list(task_ids)
        for start in range(0, len(ids), 500):
            rows = session.execute(
                select(Candidate.task_id, Candidate.content_hash).where(
                    Candidate.task_id.in_(ids[start : start + 500])
                )
            )
            for task_id, content_hash in rows:
                self._hashes.setdefault(task_id, set()).add(content_hash)
        for task_id in ids:
            self._hashes.setdefault(task_id, set())

    def _known(self, task_id: int) -> set[str]:
        if task_id not in self._hashes:
            rows = self.session.scalars(
                select(Candidate.content_hash).where(Candidate.task_id == task_id)
            )
            self._hashes[task_id] = set(rows)
        return self._hashes[task_id]

    def add(self, task_id: int, content: str, *, source: str, **fields: Any) -> Candidate | None:
        """The new candidate (flushed, so it has an id), or None for a duplicate."""
        content_hash = normalized_hash(content)
        known = self._known(task_id)
        if content_hash in known:
            return None
        candidate = Candidate(
            task_id=task_id, content=content, content_hash=content_hash, source=source, **fields
        )
        self.session.add(candidate)
        self.session.flush()
        known.add(content_hash)
        return candidate


@dataclass
class ItemsReport:
    tasks: int = 0
    created: int = 0
    existing: int = 0

    def count(self, item_id: int | None) -> None:
        """Count an item just created (its id), or one that was there already (None)."""
        if item_id is None:
            self.existing += 1
        else:
            self.created += 1


def group_size(project: Project) -> int:
    return project.k if project.mode == "ranking" else 2


def build_items(
    session: Session,
    project: Project,
    strategy: str,
    *,
    per_task: int | None = None,
    seed: int = 0,
    include_synthetic: bool | None = None,
) -> ItemsReport:
    """Items for every task of ``project`` by ``strategy``; an item with the same candidates is
    never created twice, so re-running only adds what is new. Two runs at once cannot both add
    one: the database keeps one item per candidate set, and the later run counts it as existing.

    Synthetic candidates (mutants) join work items when ``include_synthetic`` is True, never when it
    is False, and by default (None) only for tasks with fewer than two other candidates: a task with
    real model responses is judged on those, a task with only its reference is judged against its
    mutants."""
    report = ItemsReport()
    existing = _existing_keys(session, project)
    tasks = _tasks(session, project)
    for task_id, infos in _candidate_infos(session, tasks, include_synthetic).items():
        report.tasks += 1
        groups = plan_groups(
            strategy, infos, group_size(project), per_task=per_task, seed=f"{seed}:{task_id}"
        )
        for group in sorted(groups, key=lambda g: g.candidate_ids):
            added = _add_item(
                session,
                existing,
                project,
                task_id,
                group.candidate_ids,
                strategy=strategy,
                priority=group.priority,
            )
            report.count(added)
    session.commit()
    logger.info(
        "items built", extra={"project": project.slug, "strategy": strategy, **report.__dict__}
    )
    return report


def _tasks(session: Session, project: Project) -> list[int]:
    return list(
        session.scalars(select(Task.id).where(Task.project_id == project.id).order_by(Task.id))
    )


def _candidate_infos(
    session: Session, task_ids: list[int], include_synthetic: bool | None
) -> dict[int, list[CandidateInfo]]:
    real: dict[int, list[CandidateInfo]] = {t: [] for t in task_ids}
    synthetic: dict[int, list[CandidateInfo]] = {t: [] for t in task_ids}
    for start in range(0, len(task_ids), 500):
        query = select(
            Candidate.id,
            Candidate.task_id,
            Candidate.source,
            Candidate.exec_status,
            Candidate.synthetic,
        ).where(Candidate.task_id.in_(task_ids[start : start + 500]))
        for cid, task_id, source, status, is_synthetic in session.execute(
            query.order_by(Candidate.id)
        ):
            (synthetic if is_synthetic else real)[task_id].append(
                CandidateInfo(cid, source, status)
            )
    out: dict[int, list[CandidateInfo]] = {}
    for task_id in task_ids:
        use = include_synthetic if include_synthetic is not None else len(real[task_id]) < 2
        out[task_id] = sorted(
            real[task_id] + (synthetic[task_id] if use else []), key=lambda c: c.id
        )
    return out


def _existing_keys(session: Session, project: Project) -> set[str]:
    return set(session.scalars(select(Item.candidate_key).where(Item.project_id == project.id)))


def _add_item(
    session: Session,
    existing: set[str],
    project: Project,
    task_id: int,
    ids: Sequence[int],
    **fields: Any,
) -> int | None:
    """The id of a new item of ``ids`` (with its link rows), or None when the project already has
    one: seen before this run began, or added meanwhile by a concurrent run.

    Callers add items task by task and, within a task, in candidate order: concurrent runs then
    meet on the unique index in the same order and wait for each other instead of deadlocking."""
    key = candidate_key(ids)
    if key in existing:
        return None
    existing.add(key)
    values = {
        "project_id": project.id,
        "task_id": task_id,
        "candidate_ids": sorted(ids),
        "candidate_key": key,
        **fields,
    }
    item_id = session.scalar(_insert_unless_present(session).values(values).returning(Item.id))
    if item_id is not None:
        session.add_all(ItemCandidate(item_id=item_id, candidate_id=c) for c in sorted(ids))
        session.flush()
    return item_id


def _insert_unless_present(session: Session) -> Insert:
    """``INSERT INTO items ... ON CONFLICT (project_id, candidate_key) DO NOTHING``."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(Item).on_conflict_do_nothing(index_elements=[Item.project_id, Item.candidate_key])


def create_gold_items(
    session: Session, project: Project, *, per_task: int = 1, seed: int = 0
) -> ItemsReport:
    """Up to ``per_task`` gold pairs per task: a passing candidate against a failing mutant. A pair
    that already is an item, gold or not, is left as it is (``mark_gold`` makes an item gold)."""
    report = ItemsReport()
    existing = _existing_keys(session, project)
    for task_id, (correct, wrong) in _verified(session, _tasks(session, project)).items():
        report.tasks += 1
        pairs = gold_pairs(correct, wrong, per_task, seed=f"{seed}:{task_id}")
        for correct_id, loser in sorted(pairs, key=lambda p: sorted((p[0], p[1].id))):
            added = _add_item(
                session,
                existing,
                project,
                task_id,
                (correct_id, loser.id),
                strategy="gold",
                is_gold=True,
                gold_answer=gold_answer(correct_id, loser),
            )
            report.count(added)
    session.commit()
    logger.info("gold items built", extra={"project": project.slug, **report.__dict__})
    return report


def _verified(
    session: Session, task_ids: list[int]
) -> dict[int, tuple[list[Verified], list[Verified]]]:
    """Per task: candidates that pass, and mutants that verifiably fail."""
    found: dict[int, tuple[list[Verified], list[Verified]]] = {t: ([], []) for t in task_ids}
    for start in range(0, len(task_ids), 500):
        rows = session.execute(
            select(
                Candidate.id,
                Candidate.task_id,
                Candidate.exec_status,
                Candidate.exec_result,
                Candidate.source_meta,
                Candidate.synthetic,
            )
            .where(
                Candidate.task_id.in_(task_ids[start : start + 500]),
                Candidate.exec_status.is_not(None),
            )
            .order_by(Candidate.id)
        )
        for cid, task_id, status, result, meta, synthetic in rows:
            if status == "passed" and not synthetic:
                found[task_id][0].append(Verified(cid, status, result, meta))
            elif status in FAILING and synthetic:
                found[task_id][1].append(Verified(cid, status, result, meta))
    return found


def mark_gold(
    session: Session,
    item_id: int,
    ranking: Sequence[int] | None,
    strength: int,
    reason: str,
    *,
    actor: User | None = None,
) -> Item:
    """Make any item gold with a known answer (``ranking`` best first, or None for a tie)."""
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound(f"no item {item_id}")
    answer = validate_answer([int(i) for i in item.candidate_ids], ranking, strength, reason)
    before = {"is_gold": item.is_gold, "gold_answer": item.gold_answer}
    item.is_gold, item.gold_answer = True, answer
    audit(
        session,
        actor,
        "item.gold",
        "item",
        item.id,
        before,
        {"is_gold": True, "gold_answer": answer},
        project_id=item.project_id,
    )
    session.commit()
    return item
