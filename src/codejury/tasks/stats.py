"""Counts of a project's tasks by kind, language, tag and candidate source."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from codejury.db.models import Candidate, Item, Project, Task


@dataclass
class TaskStats:
    tasks: int = 0
    candidates: int = 0
    items: int = 0
    gold_items: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    by_language: Counter[str] = field(default_factory=Counter)
    by_tag: Counter[str] = field(default_factory=Counter)
    by_source: Counter[str] = field(default_factory=Counter)
    by_exec_status: Counter[str] = field(default_factory=Counter)


def task_stats(session: Session, project: Project) -> TaskStats:
    stats = TaskStats()
    for kind, language, tags in session.execute(
        select(Task.kind, Task.language, Task.tags).where(Task.project_id == project.id)
    ):
        stats.tasks += 1
        stats.by_kind[kind] += 1
        stats.by_language[language] += 1
        for key, value in (tags or {}).items():
            stats.by_tag[f"{key}={value}"] += 1
    rows = session.execute(
        select(Candidate.source, Candidate.exec_status, func.count())
        .join(Task, Task.id == Candidate.task_id)
        .where(Task.project_id == project.id)
        .group_by(Candidate.source, Candidate.exec_status)
    )
    for source, status, n in rows:
        stats.candidates += n
        stats.by_source[source] += n
        stats.by_exec_status[status or "not executed"] += n
    for is_gold, n in session.execute(
        select(Item.is_gold, func.count())
        .where(Item.project_id == project.id)
        .group_by(Item.is_gold)
    ):
        stats.items += n
        if is_gold:
            stats.gold_items += n
    return stats
