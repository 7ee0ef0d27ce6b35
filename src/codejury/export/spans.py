"""Error spans per candidate (for critic and process-reward training), from plain data.

Each row: ``prompt``, ``response``, ``spans`` (a list of ``{line_start, line_end, category,
severity, note}``, sorted by position), ``judgments`` (how many judgments looked at the candidate:
a candidate with judgments and no spans had no error flagged) and provenance columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from codejury.export.preferences import Prompt, prompt_text, tag_strings


@dataclass(frozen=True, slots=True)
class Span:
    line_start: int
    line_end: int
    category: str
    severity: str
    note: str = ""


@dataclass(frozen=True)
class CandidateSpans:
    candidate_id: int
    task_id: str
    prompt: Prompt
    response: str
    spans: Sequence[Span]
    judgments: int
    source: str = ""
    language: str = ""
    kind: str = ""
    tags: Mapping[str, Any] = field(default_factory=dict)
    annotators: tuple[str, ...] = ()


def span_rows(candidates: Sequence[CandidateSpans]) -> list[dict[str, Any]]:
    """One row per candidate that was judged at least once."""
    rows = []
    for c in candidates:
        if c.judgments < 1:
            continue
        spans = sorted(c.spans, key=lambda s: (s.line_start, s.line_end, s.category))
        rows.append(
            {
                "prompt": prompt_text(c.prompt),
                "response": c.response,
                "spans": [
                    {
                        "line_start": s.line_start,
                        "line_end": s.line_end,
                        "category": s.category,
                        "severity": s.severity,
                        "note": s.note,
                    }
                    for s in spans
                ],
                "judgments": c.judgments,
                "candidate_id": c.candidate_id,
                "task_id": c.task_id,
                "source": c.source,
                "annotators": sorted(set(c.annotators)),
                "language": c.language,
                "kind": c.kind,
                "tags": tag_strings(c.tags),
            }
        )
    return rows
