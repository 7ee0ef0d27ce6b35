"""Training runs and model scores through the database (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from codejury.db.models import (
    Candidate,
    CandidateScore,
    Item,
    Judgment,
    Project,
    Task,
    TrainingRun,
    User,
)
from codejury.errors import Conflict
from codejury.export.store import export_preferences
from codejury.train.reward import RewardTrainingConfig, train_reward
from codejury.train.store import resolve_export, run_training, score_project

pytestmark = [pytest.mark.slow, pytest.mark.db]


def _project(db: Session) -> Project:
    project = Project(slug="rm-demo", name="RM demo")
    users = [User(email=f"u{i}@example.org", name=f"U {i}", pseudonym=f"rm-{i}") for i in range(2)]
    db.add_all([project, *users])
    db.flush()
    for n in range(6):
        prompt = f"def f{n}(x):\n"
        task = Task(
            project_id=project.id,
            external_id=f"t{n}",
            prompt=prompt,
            kind="completion",
            language="python",
            content_hash=f"h{n}",
        )
        db.add(task)
        db.flush()
        good = Candidate(
            task_id=task.id,
            source="a",
            content=prompt + f"    return x + {n}\n",
            content_hash=f"g{n}",
            exec_status="passed",
        )
        bad = Candidate(
            task_id=task.id,
            source="b",
            content=prompt + "    pass\n",
            content_hash=f"b{n}",
            exec_status="failed",
        )
        db.add_all([good, bad])
        db.flush()
        item = Item(project_id=project.id, task_id=task.id, candidate_ids=sorted([good.id, bad.id]))
        db.add(item)
        db.flush()
        for k, u in enumerate(users):
            split = n == 5 and k == 1  # the judges disagree on t5: no consensus pair
            db.add(
                Judgment(
                    item_id=item.id,
                    project_id=project.id,
                    user_id=u.id,
                    ranking=[bad.id, good.id] if split else [good.id, bad.id],
                    strength=1,
                    shown_order=[good.id, bad.id],
                    idempotency_key=f"{n}-{u.id}",
                    status="accepted",
                    counted=True,
                )
            )
    db.flush()
    return project


def test_export_train_and_score_are_recorded(
    db: Session, tmp_path: Path, tiny_encoder: Path
) -> None:
    _project(db)
    record = export_preferences(db, "rm-demo", out=tmp_path / "export", test_fraction=0.3)
    assert record.row_count == 5  # quality's majority vote leaves the even split t5 undecided
    export, path = resolve_export(db, record.public_id)
    assert export is not None and path == tmp_path / "export"
    assert resolve_export(db, str(tmp_path / "export"))[0] == export
    config = RewardTrainingConfig(
        dataset=path,
        output_dir=tmp_path / "model",
        base_model=str(tiny_encoder),
        max_steps=2,
        batch_size=2,
    )
    run = run_training(db, "reward", export, config, train_reward)
    assert run.status == "finished" and run.export_id == export.id
    assert run.metrics["test_pairs"] >= 1 and run.config["max_steps"] == 2

    report = score_project(db, "rm-demo", run.id)
    assert report.candidates == 12
    assert report.human.pairs == 5 and report.execution.pairs == 6
    scores = db.scalars(
        select(CandidateScore).where(CandidateScore.training_run_id == run.id)
    ).all()
    assert len(scores) == 12
    score_project(db, "rm-demo", run.id)  # scoring again replaces, never duplicates
    again = db.scalars(select(CandidateScore).where(CandidateScore.training_run_id == run.id)).all()
    assert len(again) == 12


def test_failed_training_is_recorded_as_failed(db: Session, tmp_path: Path) -> None:
    _project(db)
    (tmp_path / "empty").mkdir()
    config = RewardTrainingConfig(
        dataset=tmp_path / "empty", output_dir=tmp_path / "m", base_model="unused"
    )
    with pytest.raises(Exception, match="no preference dataset"):
        run_training(db, "reward", None, config, train_reward)
    run = db.scalars(select(TrainingRun).order_by(TrainingRun.id.desc())).first()
    assert run is not None and run.status == "failed"
    assert "no preference dataset" in run.metrics["error"]
    with pytest.raises(Conflict, match="not a finished reward model run"):
        score_project(db, "rm-demo", run.id)
