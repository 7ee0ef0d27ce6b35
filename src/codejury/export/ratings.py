"""Per-candidate rubric scores (HelpSteer-like rows), from plain data.

Each row: ``prompt``, ``response``, one column per rubric criterion holding the mean rating over the
judgments used, ``<criterion>_count`` (how many ratings the mean is over), ``judgments`` and
provenance (``candidate_id``, ``task_id``, ``source``, ``annotators``, ``language``, ``kind``,
``tags``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from codejury.export.preferences import Prompt, prompt_text, tag_strings


@dataclass(frozen=True)
class CandidateRatings:
    """All ratings one candidate received: one mapping {criterion: value} per judgment."""

    candidate_id: int
    task_id: str
    prompt: Prompt
    response: str
    ratings: Sequence[Mapping[str, float]]
    source: str = ""
    language: str = ""
    kind: str = ""
    tags: Mapping[str, Any] = field(default_factory=dict)
    annotators: tuple[str, ...] = ()


def criteria_of(candidates: Iterable[CandidateRatings]) -> list[str]:
    """Every criterion named in any rating, sorted."""
    return sorted({name for c in candidates for r in c.ratings for name in r})


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 6) if values else None


def rating_rows(
    candidates: Sequence[CandidateRatings], criteria: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """One row per candidate with at least one rating; criteria default to all that occur."""
    names = list(criteria) if criteria is not None else criteria_of(candidates)
    rows = []
    for c in candidates:
        if not c.ratings:
            continue
        row: dict[str, Any] = {"prompt": prompt_text(c.prompt), "response": c.response}
        for name in names:
            values = [float(r[name]) for r in c.ratings if r.get(name) is not None]
            row[name] = _mean(values)
            row[f"{name}_count"] = len(values)
        row.update(
            judgments=len(c.ratings),
            candidate_id=c.candidate_id,
            task_id=c.task_id,
            source=c.source,
            annotators=sorted(set(c.annotators)),
            language=c.language,
            kind=c.kind,
            tags=tag_strings(c.tags),
        )
        rows.append(row)
    return rows
