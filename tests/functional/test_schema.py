from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import JSON, Boolean, Integer, String, column, func, insert, select, table
from sqlalchemy.orm import Session

from codejury.db import Database
from codejury.db.base import UTCDateTime, utcnow
from codejury.db.migrate import alembic_config, upgrade
from codejury.db.models import Base, Candidate, Item, Judgment, Task
from support.builders import make_project, make_user

pytestmark = pytest.mark.db

BEFORE_CANDIDATE_KEYS = "1df69e3d1e53"

# The items table as it was at BEFORE_CANDIDATE_KEYS (the model has columns it did not have yet).
old_items = table(
    "items",
    column("id", Integer),
    column("project_id", Integer),
    column("task_id", Integer),
    column("candidate_ids", JSON),
    column("purpose", String),
    column("is_gold", Boolean),
    column("priority", Integer),
    column("counted", Integer),
    column("created_at", UTCDateTime()),
)


def test_migrations_match_models(db: Session) -> None:
    ctx = MigrationContext.configure(db.connection(), opts={"compare_type": False})
    assert compare_metadata(ctx, Base.metadata) == []


def _old_item(session: Session, project_id: int, task_id: int, ids: list[int]) -> int:
    row = {
        "project_id": project_id, "task_id": task_id, "candidate_ids": ids, "purpose": "work",
        "is_gold": False, "priority": 0, "counted": 0, "created_at": utcnow(),
    }  # fmt: skip
    item_id = session.scalar(insert(old_items).values(row).returning(old_items.c.id))
    assert item_id is not None
    session.add(
        Judgment(
            item_id=item_id, project_id=project_id, user_id=None, judge_kind="model",
            ranking=ids, strength=1, shown_order=ids, idempotency_key=f"old-{item_id}",
        )
    )  # fmt: skip
    session.flush()
    return item_id


def test_upgrade_keys_existing_items_and_keeps_repeated_sets(database_url: str) -> None:
    db = Database(database_url)
    command.downgrade(alembic_config(db.engine), BEFORE_CANDIDATE_KEYS)
    with db.session() as s:
        project = make_project(s)
        make_user(s, project)
        task = Task(
            project_id=project.id, external_id="t", prompt="p", kind="completion",
            language="python", content_hash="t",
        )  # fmt: skip
        s.add(task)
        s.flush()
        a, b, c = (Candidate(task_id=task.id, source=n, content=n, content_hash=n) for n in "abc")
        s.add_all([a, b, c])
        s.flush()
        first = _old_item(s, project.id, task.id, [a.id, b.id])
        again = _old_item(s, project.id, task.id, [b.id, a.id])  # the same set, made twice
        other = _old_item(s, project.id, task.id, [a.id, c.id])
        s.commit()
    upgrade(db.engine)
    with db.session() as s:
        keys = {i: k for i, k in s.execute(select(Item.id, Item.candidate_key))}
        assert keys == {
            first: f"{a.id},{b.id}",
            again: f"{a.id},{b.id}#{again}",
            other: f"{a.id},{c.id}",
        }
        assert s.scalar(select(func.count()).select_from(Judgment)) == 3
    db.dispose()
