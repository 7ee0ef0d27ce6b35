"""Quality pages in process (API-token auth, so no CSRF) and the ``codejury quality`` command."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from codejury.db import Database
from codejury.db.models import Appeal, Flag, Judgment, Membership, User
from functional.test_quality_store import T0, add_judgment
from support.builders import make_items, make_project
from support.studio import Studio

pytestmark = pytest.mark.db


def _seed(db: Database, people: dict[str, User]) -> tuple[str, list[int]]:
    """A project where ``fast`` is too fast and misses gold; ``calm`` is fine."""
    with db.session() as s:
        project = make_project(s, overlap=3)
        for user in people.values():
            s.add(Membership(project_id=project.id, user_id=user.id))
        fast, calm = (s.get_one(User, people[n].id) for n in ("fast", "calm"))
        ids = []
        for n, item in enumerate(make_items(s, project, 6, commit=False)):
            order = sorted(item.candidate_ids)
            at = T0 + timedelta(days=n)
            ids.append(add_judgment(s, fast, item, order, 1, active_seconds=2.0, at=at).id)
            add_judgment(s, calm, item, order[::-1] if n % 2 else order, 1, at=at)
        s.commit()
        return project.slug, ids


def test_manager_pages_review_and_appeal_forms(studio: Studio) -> None:
    people, headers = {}, {}
    for name, role in [
        ("boss", "manager"),
        ("second", "manager"),
        ("fast", "annotator"),
        ("calm", "annotator"),
    ]:
        people[name], headers[name] = studio.user(f"{name}@example.org", role)
    slug, ids = _seed(studio.db, people)
    c = studio.client
    refreshed = c.post(f"/api/v1/projects/{slug}/flags/refresh", headers=headers["boss"]).json()
    assert [(f["user_id"], f["kind"]) for f in refreshed["added"]] == [
        (people["fast"].id, "too_fast")
    ]
    page = c.get(f"/projects/{slug}/quality", headers=headers["boss"])
    assert page.status_code == 200 and "<svg" in page.text and "too fast" in page.text
    assert c.get(f"/projects/{slug}/quality", headers=headers["fast"]).status_code == 403
    queue = c.get(f"/projects/{slug}/review", headers=headers["boss"])
    assert queue.status_code == 200 and f'id="j-{ids[0]}"' in queue.text
    form = {"decision": "reject", "reason_code": "fraud_too_fast", "explanation": "2 s"}
    refused = c.post(f"/projects/{slug}/review/{ids[0]}", data=form, headers=headers["boss"])
    assert refused.status_code == 422 and "evidence" in refused.text
    form["evidence"] = '{"active_seconds": 2, "min_seconds": 20}'
    done = c.post(
        f"/projects/{slug}/review/{ids[0]}",
        data=form,
        headers=headers["boss"],
        follow_redirects=False,
    )
    assert done.status_code == 303
    mine = c.get("/me/reviews", headers=headers["fast"])
    assert "fraud_too_fast" in mine.text and "min seconds 20" in mine.text
    review_id = c.get("/api/v1/me/reviews", headers=headers["fast"]).json()[0]["id"]
    sent = c.post(
        f"/reviews/{review_id}/appeal",
        data={"message": "I had read it before."},
        headers=headers["fast"],
        follow_redirects=False,
    )
    assert sent.status_code == 303
    listed = c.get(f"/projects/{slug}/appeals", headers=headers["boss"])
    assert "Your review: another manager decides." in listed.text
    with studio.db.session() as s:
        appeal = s.scalars(select(Appeal)).one()
    decide = c.post(
        f"/appeals/{appeal.id}/decide",
        data={"grant": "yes", "note": "Fair.", "back": f"/projects/{slug}/appeals"},
        headers=headers["second"],
        follow_redirects=False,
    )
    assert decide.status_code == 303
    with studio.db.session() as s:
        assert s.get_one(Judgment, ids[0]).status == "accepted"
        assert s.scalars(select(Flag)).one().status == "open"  # a decision never closes a flag


@pytest.fixture
def cli(
    database_url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Result]]:
    from codejury.cli import common
    from codejury.cli.main import app

    monkeypatch.setenv("CODEJURY_DATABASE_URL", database_url)
    common.settings.cache_clear()
    common.database.cache_clear()
    monkeypatch.setattr(common.console, "width", 200)
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    common.database().dispose()
    common.settings.cache_clear()
    common.database.cache_clear()


def test_quality_command_prints_report_and_flags(
    cli: Callable[..., Result], database_url: str
) -> None:
    db = Database(database_url)
    with db.session() as s:
        people = {}
        for name in ("fast", "calm"):
            user = User(email=f"{name}@x.org", name=name.title(), pseudonym=f"ann-{name}")
            s.add(user)
            s.flush()
            people[name] = user
        s.commit()
    slug, _ = _seed(db, people)
    db.dispose()
    flags = cli("quality", "flags", slug)
    assert flags.exit_code == 0, flags.output
    assert "1 new flag(s); 1 open" in flags.output and "too_fast" in flags.output
    again = cli("quality", "flags", slug)
    assert "0 new flag(s); 1 open" in again.output
    report = cli("quality", slug)
    assert report.exit_code == 0, report.output
    assert "preference, nominal" in report.output and "Fast" in report.output
    assert "appeals: 0 open, 0 overdue" in report.output
    assert cli("quality", "nope").exit_code == 1
