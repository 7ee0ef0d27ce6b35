"""What an annotator's judgments became: the exports that used them and the training runs on those
exports, with what the runs measured.

Only aggregate facts: the export's size, how many of its rows came from this annotator, how many
people contributed, and a run's numeric metrics (text and nested metrics are left out). Never another person's name, email, pseudonym or
judgments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from codejury.db.models import Export, ExportContributor, Project, TrainingRun, User


@dataclass(frozen=True)
class RunImpact:
    id: int
    kind: str
    base_model: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    metrics: dict[str, float | int] = field(default_factory=dict)


@dataclass(frozen=True)
class ExportImpact:
    public_id: str
    project_slug: str
    project_name: str
    kind: str
    format: str
    created_at: datetime
    rows: int
    your_judgments: int
    contributors: int
    runs: list[RunImpact]


def _metrics(raw: dict[str, Any] | None) -> dict[str, float | int]:
    """Top-level numeric metrics only: never text or nested records, which could name people."""
    return {
        str(key): value
        for key, value in sorted((raw or {}).items())
        if isinstance(value, int | float) and not isinstance(value, bool)
    }


def _runs(session: Session, export_ids: list[int]) -> dict[int, list[RunImpact]]:
    out: dict[int, list[RunImpact]] = {i: [] for i in export_ids}
    if not export_ids:
        return out
    query = (
        select(TrainingRun)
        .where(TrainingRun.export_id.in_(export_ids))
        .order_by(TrainingRun.started_at, TrainingRun.id)
    )
    for run in session.scalars(query):
        assert run.export_id is not None
        out[run.export_id].append(
            RunImpact(
                run.id,
                run.kind,
                run.base_model,
                run.status,
                run.started_at,
                run.finished_at,
                _metrics(run.metrics),
            )
        )
    return out


def impact_of(session: Session, user: User) -> list[ExportImpact]:
    """The exports that used ``user``'s judgments, newest first, each with its training runs."""
    contributors = (
        select(ExportContributor.export_id, func.count().label("n"))
        .group_by(ExportContributor.export_id)
        .subquery()
    )
    query = (
        select(Export, Project, ExportContributor.judgments, contributors.c.n)
        .join(ExportContributor, ExportContributor.export_id == Export.id)
        .join(Project, Project.id == Export.project_id)
        .join(contributors, contributors.c.export_id == Export.id)
        .where(ExportContributor.user_id == user.id)
        .order_by(Export.created_at.desc(), Export.id.desc())
    )
    rows = list(session.execute(query).tuples())
    runs = _runs(session, [e.id for e, _, _, _ in rows])
    return [
        ExportImpact(
            export.public_id,
            project.slug,
            project.name,
            export.kind,
            export.format,
            export.created_at,
            export.row_count,
            mine,
            int(n),
            runs[export.id],
        )
        for export, project, mine, n in rows
    ]
