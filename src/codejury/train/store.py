"""Database glue for training: which export a run used, the run's record, and model scores.

Every run is a ``TrainingRun`` (export, base model, config, metrics, status, output path), written
as ``running`` before training starts and closed as ``finished`` or ``failed``. Scoring stores one
``CandidateScore`` per candidate and reports how often the model agrees with the people (the pairs
the quality consensus decides, as a default preference export takes them) and with execution (a candidate that passed its tests against one that failed).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from codejury.db.base import utcnow
from codejury.db.models import Candidate, CandidateScore, Export, Task, TrainingRun
from codejury.errors import Conflict, InvalidInput, NotFound
from codejury.export.preferences import full_text
from codejury.export.queries import (
    ExportFilters,
    preference_items,
    project_by_slug,
    usable_judgments,
)
from codejury.train.scoring import PairAccuracy, pair_accuracy

logger = logging.getLogger(__name__)


class _Report(Protocol):
    def as_dict(self) -> dict[str, Any]: ...


ConfigT = TypeVar("ConfigT")


def resolve_export(session: Session, ref: str) -> tuple[Export | None, Path]:
    """An export id (``exp_…``) or a dataset path; the ``Export`` row when one is known."""
    if ref.startswith("exp_"):
        export = session.scalar(select(Export).where(Export.public_id == ref))
        if export is None:
            raise NotFound(f"no export {ref!r}")
        return export, Path(export.path)
    path = Path(ref)
    if not path.exists():
        raise NotFound(f"no export id or dataset path {ref!r}")
    folder = path if path.is_dir() else path.parent
    export = session.scalar(select(Export).where(Export.path == str(folder.resolve())))
    return export, path


def _plain(config: Any) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Path) else v for k, v in dataclasses.asdict(config).items()}


def run_training(
    session: Session,
    kind: str,
    export: Export | None,
    config: ConfigT,
    train: Callable[[ConfigT], _Report],
) -> TrainingRun:
    """Record a run, train, and close the record with the report's metrics (or the error)."""
    plain = _plain(config)
    run = TrainingRun(
        export_id=export.id if export else None,
        project_id=export.project_id if export else None,
        kind=kind,
        base_model=str(plain["base_model"]),
        config=plain,
        output_path=str(Path(plain["output_dir"]).resolve()),
        status="running",
    )
    session.add(run)
    session.commit()
    try:
        report = train(config)
    except Exception as exc:
        run.status, run.finished_at = "failed", utcnow()
        run.metrics = {"error": f"{type(exc).__name__}: {exc}"}
        session.commit()
        raise
    run.status, run.finished_at, run.metrics = "finished", utcnow(), report.as_dict()
    session.commit()
    return run


@dataclass(frozen=True)
class ScoreReport:
    run_id: int
    candidates: int
    human: PairAccuracy
    execution: PairAccuracy

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "candidates": self.candidates,
            "agreement_with_people": self.human.as_dict(),
            "agreement_with_execution": self.execution.as_dict(),
        }


def _reward_run(session: Session, run_id: int) -> TrainingRun:
    run = session.get(TrainingRun, run_id)
    if run is None:
        raise NotFound(f"no training run {run_id}")
    if run.kind != "reward" or run.status != "finished" or not run.output_path:
        raise Conflict(f"training run {run_id} is not a finished reward model run")
    return run


def _accuracy(scores: dict[int, float], pairs: list[tuple[int, int]]) -> PairAccuracy:
    kept = [(b, w) for b, w in pairs if b in scores and w in scores]
    return pair_accuracy([scores[b] for b, _ in kept], [scores[w] for _, w in kept])


def _execution_pairs(rows: list[tuple[Candidate, Task]]) -> list[tuple[int, int]]:
    by_task: dict[int, dict[str, list[int]]] = {}
    for cand, task in rows:
        if cand.exec_status in ("passed", "failed"):
            by_task.setdefault(task.id, {"passed": [], "failed": []})[cand.exec_status].append(
                cand.id
            )
    return [p for groups in by_task.values() for p in product(groups["passed"], groups["failed"])]


def score_project(
    session: Session, project_slug: str, run_id: int, *, batch_size: int = 16
) -> ScoreReport:
    """Score every candidate of the project with a trained reward model and store the scores."""
    from codejury.train.scoring import load_reward_model, score_texts

    project = project_by_slug(session, project_slug)
    run = _reward_run(session, run_id)
    rows = list(
        session.execute(
            select(Candidate, Task)
            .join(Task, Candidate.task_id == Task.id)
            .where(Task.project_id == project.id)
            .order_by(Candidate.id)
        ).tuples()
    )
    if not rows:
        raise InvalidInput("nothing to score", [f"project {project_slug!r} has no candidates"])
    model, tokenizer = load_reward_model(str(run.output_path))
    suffix = str(run.metrics.get("metrics", {}).get("suffix", ""))
    max_length = int(run.config.get("max_length", 512))
    texts = [full_text(task.prompt, cand.content) + suffix for cand, task in rows]
    values = score_texts(model, tokenizer, texts, max_length, batch_size)
    scores = {cand.id: value for (cand, _), value in zip(rows, values, strict=True)}
    session.execute(
        delete(CandidateScore).where(
            CandidateScore.training_run_id == run.id, CandidateScore.candidate_id.in_(list(scores))
        )
    )
    session.add_all(
        CandidateScore(candidate_id=c, training_run_id=run.id, score=s) for c, s in scores.items()
    )
    found = preference_items(usable_judgments(session, project, ExportFilters()), session)
    human = [pair for item in found.items for pair in item.consensus.pairs]
    report = ScoreReport(
        run.id, len(scores), _accuracy(scores, human), _accuracy(scores, _execution_pairs(rows))
    )
    session.commit()
    logger.info("scored %d candidates of %s with run %d", len(scores), project_slug, run.id)
    return report
