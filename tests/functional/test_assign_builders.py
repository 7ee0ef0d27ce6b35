"""Builders for the assignment tests: projects, people and items with just enough around them.

Not tests; shared by ``test_assign_*.py`` and ``test_concurrency.py``.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from codejury.db.models import (
    Candidate,
    GuidelineVersion,
    Item,
    ItemCandidate,
    Membership,
    Project,
    RubricVersion,
    Task,
    User,
)

_seq = itertools.count(1)
CODE = "def add(a, b):\n    return a + b\n\nprint(add(1, 2))\n"  # 4 lines


def make_project(session: Session, **fields: Any) -> Project:
    n = next(_seq)
    fields.setdefault("slug", f"p{n}-{uuid.uuid4().hex[:6]}")
    fields.setdefault("name", f"Project {n}")
    fields.setdefault("status", "published")
    fields.setdefault("gold_rate", 0.0)
    project = Project(**fields)
    session.add(project)
    session.flush()
    return project


def make_user(
    session: Session,
    project: Project | None = None,
    *,
    role: str = "annotator",
    skills: Sequence[str] = (),
    active: bool = True,
) -> User:
    tag = uuid.uuid4().hex[:10]
    user = User(
        email=f"{tag}@example.test",
        name=f"Annotator {tag}",
        role=role,
        pseudonym=f"ann-{tag}",
        skills=list(skills),
        active=active,
    )
    session.add(user)
    session.flush()
    if project is not None:
        session.add(Membership(project_id=project.id, user_id=user.id))
        session.flush()
    return user


def make_items(
    session: Session,
    project: Project,
    count: int,
    *,
    language: str = "python",
    k: int = 2,
    commit: bool = True,
    **item_fields: Any,
) -> list[Item]:
    items = []
    for _ in range(count):
        task = Task(
            project_id=project.id,
            external_id=uuid.uuid4().hex,
            prompt="Add two numbers.",
            kind="completion",
            language=language,
            content_hash=uuid.uuid4().hex,
        )
        session.add(task)
        session.flush()
        cands = [
            Candidate(task_id=task.id, source=f"m{i}", content=CODE, content_hash=f"h{i}")
            for i in range(k)
        ]
        session.add_all(cands)
        session.flush()
        ids = sorted(c.id for c in cands)
        item = Item(project_id=project.id, task_id=task.id, candidate_ids=ids, **item_fields)
        session.add(item)
        session.flush()
        session.add_all(ItemCandidate(item_id=item.id, candidate_id=c) for c in ids)
        items.append(item)
    if commit:
        session.commit()
    return items


def add_versions(session: Session, project: Project, criteria: list[dict[str, Any]]) -> None:
    session.add(GuidelineVersion(project_id=project.id, version=1, body="Be kind."))
    session.add(GuidelineVersion(project_id=project.id, version=2, body="Be kinder."))
    session.add(RubricVersion(project_id=project.id, version=1, criteria=criteria))
    session.commit()
