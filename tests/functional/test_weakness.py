"""One model's weakness report from stored judgments, tests and error spans (SQLite and
PostgreSQL), through the service, the API and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from codejury.db.models import ErrorSpan, Project
from codejury.errors import InvalidInput
from codejury.report.store import model_weakness
from support.builders import add_item, judge, make_project, make_user
from support.studio import Studio

pytestmark = pytest.mark.db


def build(session: Session, project: Project, user_id: int) -> None:
    """A wins 8 of 10 easy python completions (everything passes) and 2 of 10 hard rust debugging
    tasks, where its candidates fail and B's pass; judges mark a logic error on 5 of A's rust
    candidates. A model judge's opposite verdicts must not count. A also has an unjudged go task."""
    for i in range(10):
        item, (a, b) = add_item(
            session,
            project,
            ["A", "B"],
            language="python",
            kind="completion",
            tags={"difficulty": "easy"},
            statuses=["passed", "passed"],
        )
        judge(session, item, user_id, [a, b] if i < 8 else [b, a])
        judge(session, item, user_id, [b, a], judge_kind="model", counted=False)
    for i in range(10):
        item, (a, b) = add_item(
            session,
            project,
            ["A", "B"],
            language="rust",
            kind="debugging",
            tags={"difficulty": "hard"},
            statuses=["failed", "passed"],
        )
        j = judge(session, item, user_id, [a, b] if i < 2 else [b, a])
        if i >= 5:
            session.add(
                ErrorSpan(
                    judgment_id=j.id,
                    candidate_id=a,
                    line_start=1,
                    line_end=1,
                    category="logic",
                    severity="major" if i < 9 else "minor",
                )
            )
    add_item(session, project, ["A", "B"], language="go", kind="completion")
    session.flush()


def test_weak_slices_disagreements_and_plan(db: Session) -> None:
    project = make_project(db)
    build(db, project, make_user(db, project).id)
    report = model_weakness(db, project.slug, "A", budget=100, min_judgments=5)
    by = {s.slice: s for s in report.slices}
    assert report.overall.comparisons == 20 and report.overall.win_rate == pytest.approx(0.5)
    rust, python = by["language=rust"], by["language=python"]
    assert (rust.win_rate, python.win_rate) == (pytest.approx(0.2), pytest.approx(0.8))
    assert (rust.items, rust.judgments) == (10, 10)
    assert (rust.passed, rust.executed, python.passed, python.executed) == (0, 10, 10, 10)
    assert by["tag.difficulty=hard"].win_rate == pytest.approx(0.2)
    assert by["kind=debugging"].comparisons == 10
    d = rust.disagreement
    assert (d.mixed, d.failing_preferred, d.model_failing_preferred) == (10, 2, 2)
    assert python.disagreement.mixed == 0
    assert rust.errors == [("logic", 5)] and rust.severities == [("major", 4), ("minor", 1)]
    assert by["error=logic"].comparisons == 5 and by["error=logic"].win_rate == 0.0
    assert by["language=go"].judgments == 0
    plan = report.plan
    assert sum(plan.values()) == 100 and "error=logic" not in plan
    assert plan["language=rust"] > plan["language=python"]
    assert plan["tag.difficulty=hard"] > plan["tag.difficulty=easy"]
    assert plan["language=go"] >= 1


def test_unknown_model_is_a_clear_error(db: Session) -> None:
    project = make_project(db)
    with pytest.raises(InvalidInput, match="no candidates of model 'Z'"):
        model_weakness(db, project, "Z")


def test_weakness_api(studio: Studio) -> None:
    from codejury.db.models import Membership

    manager, headers = studio.user("boss@example.org", "manager")
    with studio.db.session() as s:
        project = make_project(s, slug="wk")
        s.add(Membership(project_id=project.id, user_id=manager.id))
        build(s, project, make_user(s, project).id)
        s.commit()
    r = studio.client.get("/api/v1/projects/wk/weakness?model=A&budget=40", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["model"] == "A" and sum(body["plan"]["items"].values()) == 40
    rust = next(s for s in body["slices"] if s["slice"] == "language=rust")
    assert rust["disagreement"]["model_failing_preferred"] == 2
    assert rust["pass_rate"] == 0.0
    assert (
        studio.client.get("/api/v1/projects/wk/weakness?model=Z", headers=headers).status_code
        == 422
    )
    page = studio.client.get("/projects/wk/weakness?model=A&budget=40", headers=headers)
    assert page.status_code == 200 and "language=rust" in page.text


def test_cli_prints_json(data_dir: Path) -> None:
    from typer.testing import CliRunner

    from codejury.cli import common
    from codejury.cli.main import app
    from codejury.config import Settings
    from codejury.db import open_database

    settings = Settings()
    settings.ensure_data_dir()
    database = open_database(settings.resolved_database_url)
    with database.session() as s:
        project = make_project(s, slug="cli-wk")
        build(s, project, make_user(s, project).id)
        s.commit()
    database.dispose()
    common.settings.cache_clear()
    common.database.cache_clear()
    try:
        result = CliRunner().invoke(app, ["report", "weakness", "cli-wk", "--model", "A", "--json"])
        assert result.exit_code == 0, result.output
        assert sum(json.loads(result.output)["plan"]["items"].values()) == 500
        table = CliRunner().invoke(app, ["report", "weakness", "cli-wk", "--model", "A"])
        assert table.exit_code == 0 and "language=rust" in table.output
        board = CliRunner().invoke(app, ["leaderboard", "cli-wk", "--json", "--rounds", "20"])
        assert board.exit_code == 0, board.output
        [only] = json.loads(board.output)["slices"]
        assert [m["model"] for m in only["models"]] == ["A", "B"]
        text = CliRunner().invoke(app, ["leaderboard", "cli-wk", "--by", "language"])
        assert text.exit_code == 0 and "rust" in text.output
        bad = CliRunner().invoke(app, ["report", "weakness", "cli-wk", "--model", "Z"])
        assert bad.exit_code == 1
    finally:
        common.settings.cache_clear()
        common.database.cache_clear()
