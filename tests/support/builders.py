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
    Judgment,
    Membership,
    Project,
    RubricVersion,
    Task,
    User,
)

_seq = itertools.count(1)
_keys = itertools.count(1)
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


# Judged items between models (leaderboards, reports).


def add_item(
    session: Session,
    project: Project,
    sources: Sequence[str],
    *,
    language: str = "python",
    kind: str = "completion",
    tags: dict[str, Any] | None = None,
    statuses: Sequence[str | None] | None = None,
    synthetic: Sequence[bool] | None = None,
) -> tuple[Item, list[int]]:
    """A task with one candidate per source and an item of them; the candidate ids in ``sources``
    order."""
    task = Task(
        project_id=project.id,
        external_id=uuid.uuid4().hex,
        prompt="Write it.",
        kind=kind,
        language=language,
        tags=tags or {},
        content_hash=uuid.uuid4().hex,
    )
    session.add(task)
    session.flush()
    cands = [
        Candidate(
            task_id=task.id,
            source=source,
            content=f"x = {i}\n",
            content_hash=f"h{i}",
            exec_status=statuses[i] if statuses else None,
            synthetic=synthetic[i] if synthetic else False,
        )
        for i, source in enumerate(sources)
    ]
    session.add_all(cands)
    session.flush()
    item = Item(project_id=project.id, task_id=task.id, candidate_ids=sorted(c.id for c in cands))
    session.add(item)
    session.flush()
    session.add_all(ItemCandidate(item_id=item.id, candidate_id=c.id) for c in cands)
    session.flush()
    return item, [c.id for c in cands]


def judge(
    session: Session,
    item: Item,
    user_id: int,
    ranking: Sequence[int],
    *,
    strength: int = 1,
    **fields: Any,
) -> Judgment:
    """A judgment row (counted, pending, human unless ``fields`` say otherwise)."""
    fields.setdefault("counted", True)
    judgment = Judgment(
        item_id=item.id,
        project_id=item.project_id,
        user_id=user_id,
        ranking=list(ranking),
        strength=strength,
        shown_order=list(reversed(ranking)),
        idempotency_key=f"k{next(_keys)}",
        **fields,
    )
    session.add(judgment)
    session.flush()
    return judgment


def duel(
    session: Session,
    project: Project,
    user_id: int,
    winner: str,
    loser: str,
    *,
    tie: bool = False,
    **item_fields: Any,
) -> Item:
    item, (w, lo) = add_item(session, project, [winner, loser], **item_fields)
    judge(session, item, user_id, [w, lo], strength=0 if tie else 1)
    return item


def three_models(session: Session, project: Project, user_id: int, times: int = 1) -> None:
    """A beats B 10–2 (python), B beats C 10–2 (rust), A beats C 11–0 with one tie (python)."""
    for _ in range(times):
        for winner, loser, n, lang in (("A", "B", 10, "python"), ("B", "A", 2, "python")):
            for _ in range(n):
                duel(session, project, user_id, winner, loser, language=lang)
        for winner, loser, n in (("B", "C", 10), ("C", "B", 2), ("A", "C", 11)):
            for _ in range(n):
                duel(
                    session,
                    project,
                    user_id,
                    winner,
                    loser,
                    language="rust" if "B" in (winner, loser) else "python",
                )
        duel(session, project, user_id, "A", "C", tie=True)


def noise(session: Session, project: Project, user_id: int) -> None:
    """Judgments that must not count: a model judge, rejected, superseded, uncounted, a skip, a
    practice item, and a mutant that wins everything."""
    for fields in (
        {"judge_kind": "model"},
        {"status": "rejected"},
        {"superseded": True},
        {"counted": False},
    ):
        for _ in range(5):
            item, (c, a) = add_item(session, project, ["C", "A"])
            judge(session, item, user_id, [c, a], **fields)
    item, _ = add_item(session, project, ["C", "A"])
    judge(session, item, user_id, [], counted=True, skip_reason="unclear")
    item, (c, a) = add_item(session, project, ["C", "A"])
    item.purpose = "practice"
    judge(session, item, user_id, [c, a])
    for _ in range(5):
        item, (m, a) = add_item(session, project, ["mutant", "A"], synthetic=[True, False])
        judge(session, item, user_id, [m, a])
