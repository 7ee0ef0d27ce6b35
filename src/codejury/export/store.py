"""Export judgments to files and record every export with its provenance.

Each export writes its rows and a dataset card (``README.md``) into one folder, then records an
``Export`` row (public id, filters, row count, content hash, path, card), one ``ExportContributor``
row per annotator whose judgments were used (which feeds the annotators' impact page) and an
``AuditEvent`` (``export.create``).
"""

from __future__ import annotations

import logging
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from codejury.accounts.audit import audit
from codejury.config import get_settings
from codejury.db.base import utcnow
from codejury.db.models import Export, ExportContributor, PayRate, Project, User
from codejury.export.card import CardInfo, PayPolicy, render_card, slice_counts
from codejury.export.preferences import PreferenceItem, PromptStyle, Variant, preference_rows
from codejury.export.queries import (
    ExportFilters,
    Used,
    candidate_ratings,
    candidate_spans,
    preference_items,
    project_by_slug,
    usable_judgments,
)
from codejury.export.ratings import rating_rows
from codejury.export.spans import span_rows
from codejury.export.splits import assign_splits
from codejury.export.writers import write_rows

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportRecord:
    public_id: str
    kind: str
    format: str
    path: Path
    row_count: int
    content_hash: str
    splits: dict[str, int]
    contributors: dict[str, int]  # pseudonym -> judgments used


def new_public_id() -> str:
    return f"exp_{secrets.token_hex(6)}"


def export_preferences(
    session: Session,
    project_slug: str,
    *,
    fmt: str = "jsonl",
    out: Path | None = None,
    variant: Variant = "standard",
    prompt_style: PromptStyle = "explicit",
    filters: ExportFilters | None = None,
    margin: bool = False,
    consensus: str = "auto",
    test_fraction: float = 0.1,
    actor: User | None = None,
) -> ExportRecord:
    """Write TRL preference rows (one per candidate pair the quality consensus decided).

    ``consensus``: ``"auto"`` (quality's rule: Dawid–Skene when the data support it, else majority
    vote), ``"majority"`` or ``"dawid-skene"`` (see ``codejury.export.consensus``)."""
    filters = filters or ExportFilters()
    project = project_by_slug(session, project_slug)
    used = usable_judgments(session, project, filters)
    found = preference_items(used, session, consensus, filters.min_confidence)
    rows = preference_rows(found.items, variant=variant, prompt_style=prompt_style, margin=margin)
    options = {
        "variant": variant,
        "prompt_style": prompt_style,
        "margin": margin,
        "consensus": consensus,
        "consensus_method": found.method,
    }
    agreement = _agreement(found.items)
    batch = _Batch(project, "preferences", fmt, rows, found.behind, filters, options, agreement)
    return _finish(session, batch, out, test_fraction, actor)


def export_ratings(
    session: Session,
    project_slug: str,
    *,
    fmt: str = "jsonl",
    out: Path | None = None,
    filters: ExportFilters | None = None,
    test_fraction: float = 0.1,
    actor: User | None = None,
) -> ExportRecord:
    """Write per-candidate mean rubric ratings (HelpSteer-like rows)."""
    return _per_candidate(session, project_slug, "ratings", fmt, out, filters, test_fraction, actor)


def export_spans(
    session: Session,
    project_slug: str,
    *,
    fmt: str = "jsonl",
    out: Path | None = None,
    filters: ExportFilters | None = None,
    test_fraction: float = 0.1,
    actor: User | None = None,
) -> ExportRecord:
    """Write error spans per judged candidate."""
    return _per_candidate(session, project_slug, "spans", fmt, out, filters, test_fraction, actor)


def _per_candidate(
    session: Session,
    project_slug: str,
    kind: str,
    fmt: str,
    out: Path | None,
    filters: ExportFilters | None,
    test_fraction: float,
    actor: User | None,
) -> ExportRecord:
    """The rows of one judged candidate each (ratings or spans), recorded like every export."""
    filters = filters or ExportFilters()
    project = project_by_slug(session, project_slug)
    judgments = usable_judgments(session, project, filters)
    if kind == "ratings":
        rated, behind = candidate_ratings(judgments, session)
        rows = rating_rows(rated)
    else:
        flagged, behind = candidate_spans(judgments, session)
        rows = span_rows(flagged)
    batch = _Batch(project, kind, fmt, rows, behind, filters, {})
    return _finish(session, batch, out, test_fraction, actor)


def _agreement(items: Sequence[PreferenceItem]) -> dict[str, float]:
    """Per item (its exported pairs together): the lowest pair confidence, and its votes."""
    if not items:
        return {}
    per_item: dict[int, tuple[float, int]] = {}
    for i in items:
        low, votes = per_item.get(i.item_id, (1.0, 0))
        per_item[i.item_id] = (min(low, i.consensus.confidence), max(votes, i.consensus.votes))
    confidences = [c for c, _ in per_item.values()]
    return {
        "mean consensus confidence": sum(confidences) / len(confidences),
        "share of unanimous items": sum(c == 1.0 for c in confidences) / len(confidences),
        "mean judgments per item": sum(v for _, v in per_item.values()) / len(per_item),
    }


def _money(value: Decimal) -> str:
    """Two decimals, more only when the amount has them (0.4000 -> 0.40, 0.125 -> 0.125)."""
    cents = value.quantize(Decimal("0.01"))
    return str(cents) if cents == value else str(value.normalize())


def _pay(session: Session, project: Project) -> list[PayPolicy]:
    rates = session.scalars(
        select(PayRate).where(PayRate.project_id == project.id).order_by(PayRate.effective_from)
    )
    return [
        PayPolicy(
            r.currency,
            _money(r.piece_rate),
            _money(r.hourly_floor),
            r.effective_from.date().isoformat(),
        )
        for r in rates
    ]


@dataclass(frozen=True)
class _Batch:
    """What one export gathered, before it is written."""

    project: Project
    kind: str
    fmt: str
    rows: list[dict[str, Any]]
    behind: Sequence[Used]
    filters: ExportFilters
    options: dict[str, Any]
    agreement: dict[str, float] = field(default_factory=dict)


def _finish(
    session: Session, batch: _Batch, out: Path | None, test_fraction: float, actor: User | None
) -> ExportRecord:
    public_id = new_public_id()
    folder = out if out is not None else get_settings().data_dir / "exports" / public_id
    splits = assign_splits(batch.rows, test_fraction)
    written = write_rows(batch.rows, batch.fmt, folder, batch.kind)
    card = _card(session, batch, public_id, written.content_hash, splits, test_fraction)
    (folder / "README.md").write_text(card, encoding="utf-8")
    _record(session, batch, public_id, folder, written.content_hash, card, actor)
    session.commit()
    logger.info("export %s: %d %s rows to %s", public_id, len(batch.rows), batch.kind, folder)
    by_user = Counter(u.pseudonym for u in batch.behind)
    return ExportRecord(
        public_id=public_id,
        kind=batch.kind,
        format=batch.fmt,
        path=folder,
        row_count=len(batch.rows),
        content_hash=written.content_hash,
        splits=splits,
        contributors=dict(sorted(by_user.items())),
    )


def _card(
    session: Session,
    batch: _Batch,
    public_id: str,
    digest: str,
    splits: dict[str, int],
    test_fraction: float,
) -> str:
    behind, project = batch.behind, batch.project
    return render_card(
        CardInfo(
            title=f"{project.name}: {batch.kind}",
            project=project.slug,
            kind=batch.kind,
            fmt=batch.fmt,
            export_id=public_id,
            created_at=utcnow().strftime("%Y-%m-%d %H:%M UTC"),
            rows=len(batch.rows),
            content_hash=digest,
            splits=splits,
            items=len({u.item.id for u in behind}),
            tasks=len({r["task_id"] for r in batch.rows}),
            judgments=len(behind),
            annotators=len({u.pseudonym for u in behind}),
            options={**batch.options, "test_fraction": test_fraction},
            filters=batch.filters.as_dict(),
            slices=slice_counts(batch.rows, ("language", "kind")),
            agreement=batch.agreement,
            guideline_versions=sorted({v for u in behind if (v := u.judgment.guideline_version)}),
            rubric_versions=sorted({v for u in behind if (v := u.judgment.rubric_version)}),
            overlap=project.overlap,
            pay=_pay(session, project),
        )
    )


def _record(
    session: Session,
    batch: _Batch,
    public_id: str,
    folder: Path,
    digest: str,
    card: str,
    actor: User | None,
) -> Export:
    export = Export(
        public_id=public_id,
        project_id=batch.project.id,
        kind=batch.kind,
        format=batch.fmt,
        filters={**batch.filters.as_dict(), **batch.options},
        row_count=len(batch.rows),
        content_hash=digest,
        path=str(folder.resolve()),
        card=card,
        created_by=actor.id if actor else None,
    )
    session.add(export)
    session.flush()
    per_user = Counter(u.judgment.user_id for u in batch.behind if u.judgment.user_id is not None)
    for user_id, count in sorted(per_user.items()):
        session.add(ExportContributor(export_id=export.id, user_id=user_id, judgments=count))
    after = {
        "kind": batch.kind,
        "format": batch.fmt,
        "row_count": len(batch.rows),
        "content_hash": digest,
    }
    audit(session, actor, "export.create", "export", public_id, None, after, batch.project.id)
    return export
