"""Exports through the database (SQLite and PostgreSQL): what is used, left out and recorded."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from codejury.db.models import (
    AuditEvent,
    Candidate,
    ErrorSpan,
    Export,
    ExportContributor,
    Item,
    Judgment,
    PayRate,
    Project,
    Task,
    User,
)
from codejury.export.queries import ExportFilters
from codejury.export.store import export_preferences, export_ratings, export_spans
from codejury.quality.store import item_consensus

pytestmark = pytest.mark.db


@dataclass
class World:
    project: Project
    users: list[User]
    items: dict[str, Item] = field(default_factory=dict)
    candidates: dict[str, list[Candidate]] = field(default_factory=dict)


def _task(db: Session, project: Project, ext: str, language: str = "python") -> list[Candidate]:
    prompt = f"def {ext}(x):\n"
    task = Task(
        project_id=project.id,
        external_id=ext,
        prompt=prompt,
        kind="completion",
        language=language,
        tags={"difficulty": "easy"},
        content_hash=ext,
    )
    db.add(task)
    db.flush()
    cands = [
        Candidate(
            task_id=task.id,
            source=f"model-{n}",
            content=prompt + f"    return x + {n}\n",
            content_hash=f"{ext}-{n}",
        )
        for n in range(2)
    ]
    db.add_all(cands)
    db.flush()
    return cands


def _item(db: Session, w: World, name: str, cands: list[Candidate], gold: bool = False) -> Item:
    item = Item(
        project_id=w.project.id,
        task_id=cands[0].task_id,
        candidate_ids=sorted(c.id for c in cands),
        is_gold=gold,
    )
    db.add(item)
    db.flush()
    w.items[name] = item
    w.candidates[name] = cands
    return item


def _judge(db: Session, w: World, name: str, user: int, winner: int, **kw: Any) -> Judgment:
    item, cands = w.items[name], w.candidates[name]
    ranking = [cands[winner].id, cands[1 - winner].id]
    j = Judgment(
        item_id=item.id,
        project_id=w.project.id,
        user_id=w.users[user].id,
        ranking=ranking,
        strength=kw.pop("strength", 2),
        shown_order=ranking,
        idempotency_key=f"{name}-{user}",
        status=kw.pop("status", "accepted"),
        counted=kw.pop("counted", True),
        guideline_version=3,
        **kw,
    )
    db.add(j)
    db.flush()
    return j


@pytest.fixture
def world(db: Session) -> World:
    return build_world(db)


def build_world(db: Session) -> World:
    project = Project(slug="exp-demo", name="Export demo", overlap=3)
    users = [
        User(email=f"real{i}@example.org", name=f"Real Person {i}", pseudonym=f"ann-{i:02d}")
        for i in range(4)
    ]
    db.add_all([project, *users])
    db.flush()
    db.add(
        PayRate(
            project_id=project.id,
            currency="USD",
            piece_rate=Decimal("0.40"),
            hourly_floor=Decimal("16.00"),
            effective_from=datetime(2026, 1, 1, tzinfo=UTC),
        )
    )
    w = World(project, users)
    for n in range(4):  # ordinary items: users 0 and 1 prefer candidate 0, user 2 disagrees
        _item(db, w, f"t{n}", _task(db, project, f"t{n}", "python" if n < 3 else "go"))
        _judge(db, w, f"t{n}", 0, 0)
        _judge(db, w, f"t{n}", 1, 0, strength=1)
        _judge(db, w, f"t{n}", 2, 1, strength=1)
    _item(db, w, "gold", _task(db, project, "gold"), gold=True)
    _judge(db, w, "gold", 0, 0)
    _item(db, w, "rejected", _task(db, project, "rej"))
    _judge(db, w, "rejected", 3, 0, status="rejected")
    _item(db, w, "pending", _task(db, project, "pend"))
    _judge(db, w, "pending", 3, 1, status="pending", counted=False)
    j = _judge(
        db,
        w,
        "t0",
        3,
        0,
        status="pending",
        counted=True,
        ratings={
            str(w.candidates["t0"][0].id): {"correctness": 4},
            str(w.candidates["t0"][1].id): {"correctness": 1},
        },
    )
    db.add(
        ErrorSpan(
            judgment_id=j.id,
            candidate_id=w.candidates["t0"][1].id,
            line_start=2,
            line_end=2,
            category="logic",
            severity="major",
            note="off by one",
        )
    )
    db.flush()
    return w


def _rows(path: Path, name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (path / f"{name}.jsonl").read_text().splitlines()]


def test_preferences_use_accepted_and_counted_judgments_only(
    db: Session, world: World, tmp_path: Path
) -> None:
    record = export_preferences(db, "exp-demo", fmt="jsonl", out=tmp_path)
    rows = _rows(tmp_path, "preferences")
    assert sorted(r["task_id"] for r in rows) == [
        "t0",
        "t1",
        "t2",
        "t3",
    ]  # no gold/rejected/pending
    by_task = {r["task_id"]: r for r in rows}
    assert by_task["t1"]["chosen_id"] == world.candidates["t1"][0].id
    assert by_task["t1"]["confidence"] == pytest.approx(2 / 3, abs=1e-6)
    assert by_task["t0"]["confidence"] == pytest.approx(3 / 4)
    assert by_task["t0"]["prompt"] == "def t0(x):\n"
    assert by_task["t0"]["chosen"] == "    return x + 0\n"
    assert by_task["t0"]["annotators"] == ["ann-00", "ann-01", "ann-02", "ann-03"]
    assert record.row_count == 4 and sum(record.splits.values()) == 4 and record.splits["test"] > 0


def test_consensus_comes_from_the_quality_module(db: Session, world: World, tmp_path: Path) -> None:
    record = export_preferences(db, "exp-demo", out=tmp_path)
    by_task = {r["task_id"]: r for r in _rows(tmp_path, "preferences")}
    quality = item_consensus(db, world.project)
    for name in ("t0", "t1", "t2", "t3"):
        [pair] = quality[world.items[name].id].pairs
        winner = pair.first if pair.label == "first" else pair.second
        assert by_task[name]["chosen_id"] == winner == world.candidates[name][0].id
        assert by_task[name]["confidence"] == pytest.approx(pair.confidence, abs=1e-6)
    assert quality[world.items["t0"].id].method == "majority_vote"
    export = db.scalar(select(Export).where(Export.public_id == record.public_id))
    assert export is not None and export.filters["consensus"] == "auto"
    assert export.filters["consensus_method"] == "majority_vote"


def test_margin_is_mean_agreeing_strength_times_pair_confidence(
    db: Session, world: World, tmp_path: Path
) -> None:
    export_preferences(db, "exp-demo", out=tmp_path, margin=True)
    by_task = {r["task_id"]: r for r in _rows(tmp_path, "preferences")}
    assert by_task["t1"]["strength"] == pytest.approx(1.5)  # 2 and 1 agree; the 1 against is out
    assert by_task["t1"]["margin"] == pytest.approx(1.5 * 2 / 3, abs=1e-6)
    assert by_task["t0"]["strength"] == pytest.approx(5 / 3)
    assert by_task["t0"]["margin"] == pytest.approx(5 / 3 * 3 / 4, abs=1e-6)


def test_tie_majority_and_even_split_give_no_rows(
    db: Session, world: World, tmp_path: Path
) -> None:
    _item(db, world, "tied", _task(db, world.project, "tied"))
    _judge(db, world, "tied", 0, 0, strength=0)
    _judge(db, world, "tied", 1, 1, strength=0)
    _judge(db, world, "tied", 2, 0, strength=1)
    _item(db, world, "split", _task(db, world.project, "split"))
    _judge(db, world, "split", 0, 0)
    _judge(db, world, "split", 1, 1)
    record = export_preferences(db, "exp-demo", out=tmp_path, consensus="majority")
    tasks = sorted(r["task_id"] for r in _rows(tmp_path, "preferences"))
    assert tasks == ["t0", "t1", "t2", "t3"] and record.row_count == 4
    assert item_consensus(db, world.project)[world.items["tied"].id].pairs[0].label == "tie"


def test_excluded_annotators_are_left_out_before_the_consensus(
    db: Session, world: World, tmp_path: Path
) -> None:
    export_preferences(
        db,
        "exp-demo",
        out=tmp_path,
        filters=ExportFilters(language="go", exclude_annotators=("ann-00", "ann-01")),
    )
    [row] = _rows(tmp_path, "preferences")
    assert row["task_id"] == "t3" and row["annotators"] == ["ann-02"]
    assert row["chosen_id"] == world.candidates["t3"][1].id  # the lone dissenter now decides
    assert row["confidence"] == 1.0


def test_files_carry_pseudonyms_never_names_or_emails(
    db: Session, world: World, tmp_path: Path
) -> None:
    export_preferences(db, "exp-demo", fmt="jsonl", out=tmp_path / "p")
    export_ratings(db, "exp-demo", fmt="jsonl", out=tmp_path / "r")
    export_spans(db, "exp-demo", fmt="parquet", out=tmp_path / "s")
    blob = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert b"ann-00" in blob
    assert b"example.org" not in blob and b"Real Person" not in blob


def test_export_is_recorded_with_contributors_and_audit(
    db: Session, world: World, tmp_path: Path
) -> None:
    record = export_preferences(db, "exp-demo", fmt="jsonl", out=tmp_path, actor=world.users[0])
    export = db.scalar(select(Export).where(Export.public_id == record.public_id))
    assert (
        export is not None and export.public_id.startswith("exp_") and len(export.public_id) == 16
    )
    assert export.row_count == 4 and export.kind == "preferences"
    assert export.content_hash == record.content_hash and export.path == str(tmp_path.resolve())
    assert "0.40 USD per judgment" in export.card and "v3" in export.card
    assert (tmp_path / "README.md").read_text() == export.card
    contributors = {
        c.user_id: c.judgments
        for c in db.scalars(
            select(ExportContributor).where(ExportContributor.export_id == export.id)
        )
    }
    u = world.users
    assert contributors == {u[0].id: 4, u[1].id: 4, u[2].id: 4, u[3].id: 1}
    audit = db.scalar(select(AuditEvent).where(AuditEvent.target_id == record.public_id))
    assert audit is not None and audit.action == "export.create" and audit.actor_id == u[0].id


def test_filters_narrow_the_export(db: Session, world: World, tmp_path: Path) -> None:
    go = export_preferences(
        db, "exp-demo", out=tmp_path / "go", filters=ExportFilters(language="go")
    )
    assert go.row_count == 1
    sure = export_preferences(
        db, "exp-demo", out=tmp_path / "sure", filters=ExportFilters(min_confidence=0.7)
    )
    assert sure.row_count == 1  # only t0 has 3 of 4 votes
    without = export_preferences(
        db, "exp-demo", out=tmp_path / "x", filters=ExportFilters(exclude_annotators=("ann-02",))
    )
    assert all(r["confidence"] == 1.0 for r in _rows(tmp_path / "x", "preferences"))
    assert "ann-02" not in without.contributors
    gold = export_preferences(
        db, "exp-demo", out=tmp_path / "g", filters=ExportFilters(include_gold=True)
    )
    assert gold.row_count == 5


def test_ratings_and_spans_exports(db: Session, world: World, tmp_path: Path) -> None:
    ratings = export_ratings(db, "exp-demo", out=tmp_path / "r")
    rows = _rows(tmp_path / "r", "ratings")
    assert ratings.row_count == 2 and ratings.contributors == {"ann-03": 1}
    assert sorted(r["correctness"] for r in rows) == [1.0, 4.0]
    spans = export_spans(db, "exp-demo", out=tmp_path / "s")
    rows = _rows(tmp_path / "s", "spans")
    flagged = [r for r in rows if r["spans"]]
    assert spans.row_count == 8 and len(flagged) == 1
    assert flagged[0]["spans"] == [
        {
            "line_start": 2,
            "line_end": 2,
            "category": "logic",
            "severity": "major",
            "note": "off by one",
        }
    ]
    assert flagged[0]["judgments"] == 4


def test_dawid_skene_consensus_is_an_option(db: Session, world: World, tmp_path: Path) -> None:
    record = export_preferences(db, "exp-demo", out=tmp_path, consensus="dawid-skene")
    rows = _rows(tmp_path, "preferences")
    assert record.row_count == 4
    assert all(r["chosen_id"] == world.candidates[r["task_id"]][0].id for r in rows)
    export = db.scalar(select(Export).where(Export.public_id == record.public_id))
    assert export is not None and export.filters["consensus"] == "dawid-skene"
    assert export.filters["consensus_method"] == "dawid_skene"


def test_cli_adds_preferences_to_the_export_group(data_dir: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from codejury.cli import common
    from codejury.cli.main import app
    from codejury.config import Settings
    from codejury.db import open_database

    settings = Settings()
    settings.ensure_data_dir()
    database = open_database(settings.resolved_database_url)
    with database.session() as s:
        build_world(s)
        s.commit()
    database.dispose()
    common.settings.cache_clear()
    common.database.cache_clear()
    out = tmp_path / "cli"
    result = CliRunner().invoke(
        app,
        [
            "export",
            "preferences",
            "exp-demo",
            "--out",
            str(out),
            "--variant",
            "conversational",
            "--prompt-style",
            "implicit",
            "--language",
            "python",
            "--margin",
        ],
    )
    common.database.cache_clear()
    assert result.exit_code == 0, result.output
    rows = _rows(out, "preferences")
    assert len(rows) == 3 and "margin" in rows[0] and rows[0]["chosen"][-1]["role"] == "assistant"
    bad = CliRunner().invoke(app, ["export", "ratings", "exp-demo", "--tag", "oops"])
    assert bad.exit_code == 1
