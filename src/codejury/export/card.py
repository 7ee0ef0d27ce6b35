"""The dataset card (README.md) written beside every export, from plain data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PayPolicy:
    currency: str
    piece_rate: str
    hourly_floor: str
    effective_from: str


@dataclass(frozen=True)
class CardInfo:
    """What a card says. Counts are of the exported rows; ``agreement`` may be empty."""

    title: str
    project: str
    kind: str
    fmt: str
    export_id: str
    created_at: str
    rows: int
    content_hash: str
    splits: Mapping[str, int]
    items: int
    tasks: int
    judgments: int
    annotators: int
    options: Mapping[str, Any] = field(default_factory=dict)
    filters: Mapping[str, Any] = field(default_factory=dict)
    slices: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    agreement: Mapping[str, float] = field(default_factory=dict)
    guideline_versions: Sequence[int] = ()
    rubric_versions: Sequence[int] = ()
    overlap: int | None = None
    pay: Sequence[PayPolicy] = ()


def slice_counts(
    rows: Iterable[Mapping[str, Any]], columns: Sequence[str]
) -> dict[str, dict[str, int]]:
    """Rows per value of each slice column (e.g. ``language``, ``kind``)."""
    rows = list(rows)
    return {c: dict(Counter(str(r.get(c, "")) for r in rows).most_common()) for c in columns}


def _table(header: tuple[str, str], counts: Mapping[str, Any]) -> list[str]:
    lines = [f"| {header[0]} | {header[1]} |", "| --- | --- |"]
    lines += [f"| {key or '(none)'} | {value} |" for key, value in counts.items()]
    return lines


def _collection(info: CardInfo) -> list[str]:
    guidelines = ", ".join(f"v{v}" for v in info.guideline_versions) or "not recorded"
    rubric = ", ".join(f"v{v}" for v in info.rubric_versions) or "not recorded"
    lines = [
        "## How the data was collected",
        "",
        f"Expert annotators judged model responses in CodeJury ({info.judgments} judgments by "
        f"{info.annotators} annotators, named here only by pseudonym). Rejected, superseded and "
        "model-made judgments are never used; gold (known-answer) items are "
        + ("included." if info.filters.get("include_gold") else "left out."),
        "",
        f"- Guidelines version(s): {guidelines}",
        f"- Rubric version(s): {rubric}",
    ]
    if info.overlap is not None:
        lines.append(f"- Judgments sought per item (overlap): {info.overlap}")
    lines += ["", "## Pay", ""]
    if not info.pay:
        lines.append("No pay policy is recorded for this project.")
    for p in info.pay:
        lines.append(
            f"- From {p.effective_from}: {p.piece_rate} {p.currency} per judgment, "
            f"topped up to at least {p.hourly_floor} {p.currency} per hour of active work."
        )
    return lines


def render_card(info: CardInfo) -> str:
    lines = [
        f"# {info.title}",
        "",
        f"{info.kind.capitalize()} exported from CodeJury project `{info.project}` "
        f"as `{info.fmt}` on {info.created_at}.",
        "",
        f"- Export: `{info.export_id}`",
        f"- Rows: {info.rows} from {info.items} items of {info.tasks} tasks",
        f"- Content hash (SHA-256 of the rows as JSON lines): `{info.content_hash}`",
    ]
    lines += [
        f"- {key.replace('_', ' ').capitalize()}: `{value}`" for key, value in info.options.items()
    ]
    lines += ["", "## Splits", "", "Split by task: no task appears in two splits.", ""]
    lines += _table(("split", "rows"), info.splits)
    if info.agreement:
        lines += ["", "## Agreement", ""]
        lines += _table(("measure", "value"), {k: f"{v:.3f}" for k, v in info.agreement.items()})
    for column, counts in info.slices.items():
        lines += ["", f"## Rows by {column}", "", *_table((column, "rows"), counts)]
    active = {k: v for k, v in info.filters.items() if v not in (None, [], (), {}, False, 0.0)}
    lines += ["", "## Filters", ""]
    lines += [f"- {k}: `{v}`" for k, v in active.items()] or ["None."]
    lines += ["", *_collection(info), ""]
    return "\n".join(lines)
