"""The demo builder: a published, labelled HumanEval project and demo accounts; idempotent."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from codejury.config import Settings
from codejury.db import open_database
from codejury.db.models import Membership, Project
from codejury.demo import ACCOUNTS, SLUG, build_demo


def test_demo_builds_once_and_again_without_duplicates(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, demo=True, secret_key="demo-test-secret-0123456789")
    db = open_database(settings.resolved_database_url)
    first = build_demo(db, settings, tasks=2)
    assert first.tasks == 2 and first.items > 0
    assert first.candidates > first.tasks  # mutants beside each canonical solution
    if first.sandbox:
        assert first.gold_items > 0
    again = build_demo(db, settings, tasks=2)
    assert (again.tasks, again.candidates, again.items) == (
        first.tasks,
        first.candidates,
        first.items,
    )
    assert [a[0] for a in again.accounts] == [a[0] for a in ACCOUNTS]
    with db.session() as s:
        project = s.scalars(select(Project).where(Project.slug == SLUG)).one()
        assert project.status == "published" and project.settings["label_synthetic"] is True
        members = s.scalars(select(Membership).where(Membership.project_id == project.id)).all()
        assert len(members) == len(ACCOUNTS) - 1  # everyone but the admin
    db.dispose()
