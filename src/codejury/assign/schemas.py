"""Plain data going in and out of the assignment engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ErrorSpanIn(BaseModel):
    """A marked stretch of one candidate: lines ``line_start..line_end`` (1-based, inclusive)."""

    model_config = ConfigDict(extra="forbid")

    candidate_id: int
    line_start: int
    line_end: int
    category: str
    severity: str
    step: int | None = None
    note: str | None = Field(None, max_length=2000)


class JudgmentIn(BaseModel):
    """What an annotator submits for one item.

    ``ranking`` lists candidate ids best first (never screen positions); for pairwise items
    ``[winner, loser]`` with ``strength`` 0 (tie), 1 (better) or 2 (much better). ``ratings`` maps
    a candidate id (as a string, the JSON way) to ``{criterion: value}``. A skip carries
    ``skip_reason`` and no ranking, strength, ratings or spans.
    """

    model_config = ConfigDict(extra="forbid")

    ranking: list[int] | None = None
    strength: int | None = None
    ratings: dict[str, dict[str, int]] = Field(default_factory=dict)
    error_spans: list[ErrorSpanIn] = Field(default_factory=list)
    rationale: str | None = Field(None, max_length=20_000)
    corrected_code: str | None = Field(None, max_length=200_000)
    skip_reason: str | None = None
    active_seconds: float | None = None


@dataclass(frozen=True)
class Lease:
    """An item reserved for one annotator until ``expires_at``. Says nothing about gold."""

    assignment_id: int
    item_id: int
    project_id: int
    purpose: str
    display_order: list[int]
    leased_at: datetime
    expires_at: datetime
    guideline_version: int | None
    rubric_version: int | None
    resumed: bool  # True when this is the annotator's existing live lease, handed back on reload


@dataclass(frozen=True)
class NoWork:
    """No item for this annotator now, and why (``code`` for programs, ``reason`` for people)."""

    code: str
    reason: str


@dataclass(frozen=True)
class SubmitResult:
    judgment_id: int
    counted: bool
    late: bool
    skipped: bool
    replayed: bool  # a retry with an idempotency key already used: the stored result, unchanged
    message: str
