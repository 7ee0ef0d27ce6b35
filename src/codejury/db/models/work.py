"""Units of work and what people did with them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column

from codejury.db.base import Base, utcnow


def candidate_key(candidate_ids: Iterable[int]) -> str:
    """A candidate set as text, the same whatever the order: ids ascending, e.g. ``"12,57"``."""
    return ",".join(str(i) for i in sorted(int(c) for c in candidate_ids))


def _candidate_key_of_row(context: DefaultExecutionContext) -> str:
    return candidate_key(context.get_current_parameters()["candidate_ids"])


class Item(Base):
    """2..k candidates of one task, judged together. Gold items carry a known answer.

    A project has at most one item per candidate set, whatever its purpose: an item is made gold in
    place (``is_gold``), never by copying it.
    """

    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    # Candidate ids in ascending order; display order is chosen per assignment.
    candidate_ids: Mapped[list[Any]]
    # candidate_key(candidate_ids), filled in on insert when not given; unique per project.
    candidate_key: Mapped[str] = mapped_column(String(200), default=_candidate_key_of_row)
    purpose: Mapped[str] = mapped_column(
        String(20), default="work"
    )  # work | practice | qualification
    is_gold: Mapped[bool] = mapped_column(default=False)
    # {"ranking": [candidate ids, best first] | null for a tie, "strength": 0..2, "reason": str}
    gold_answer: Mapped[dict[str, Any] | None]
    priority: Mapped[int] = mapped_column(default=0)
    strategy: Mapped[str | None] = mapped_column(String(40))
    counted: Mapped[int] = mapped_column(
        default=0
    )  # counted judgments so far (denormalised, kept in step)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# One item per candidate set and project. A unique index rather than a constraint: SQLite adds an
# index to a table in place, a constraint only by rebuilding it.
Index("uq_items_candidate_key", Item.project_id, Item.candidate_key, unique=True)

# The queue order of the assignment engine, so the next item is found by an index walk, not a sort.
Index(
    "ix_items_queue",
    Item.project_id,
    Item.purpose,
    Item.is_gold,
    Item.priority.desc(),
    Item.counted.desc(),
    Item.id,
)


class ItemCandidate(Base):
    """Link rows so that a candidate cannot be deleted under an item."""

    __tablename__ = "item_candidates"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Assignment(Base):
    """An item leased to one annotator, with its expiry and the display order shown."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    display_order: Mapped[list[Any]]
    state: Mapped[str] = mapped_column(
        String(20), default="active"
    )  # active | submitted | skipped | expired | released
    leased_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None]
    guideline_version: Mapped[int | None]
    rubric_version: Mapped[int | None]


Index("ix_assignments_user_state", Assignment.user_id, Assignment.state)


class Judgment(Base):
    """One judge's verdict on an item. Never edited in place: a revision is a new row."""

    __tablename__ = "judgments"
    __table_args__ = (UniqueConstraint("user_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    judge_kind: Mapped[str] = mapped_column(String(10), default="human")  # human | model
    judge_model: Mapped[str | None] = mapped_column(String(200))
    # Candidate ids best first; for pairwise [winner, loser]. Null with a skip.
    ranking: Mapped[list[Any] | None]
    strength: Mapped[int | None]  # 0 tie, 1 better, 2 much better (pairwise)
    shown_order: Mapped[list[Any]]
    ratings: Mapped[dict[str, Any]] = mapped_column(
        default=dict
    )  # {candidate_id: {criterion: value}}
    rationale: Mapped[str | None] = mapped_column(Text)
    corrected_code: Mapped[str | None] = mapped_column(Text)
    skip_reason: Mapped[str | None] = mapped_column(String(40))
    guideline_version: Mapped[int | None]
    rubric_version: Mapped[int | None]
    server_seconds: Mapped[float | None]
    active_seconds: Mapped[float | None]
    idempotency_key: Mapped[str] = mapped_column(String(100))
    counted: Mapped[bool] = mapped_column(default=False)
    late: Mapped[bool] = mapped_column(default=False)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("judgments.id"))
    superseded: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(
        String(20), default="pending"
    )  # pending | accepted | rejected
    status_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ErrorSpan(Base):
    __tablename__ = "error_spans"

    id: Mapped[int] = mapped_column(primary_key=True)
    judgment_id: Mapped[int] = mapped_column(
        ForeignKey("judgments.id", ondelete="CASCADE"), index=True
    )
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    line_start: Mapped[int]
    line_end: Mapped[int]
    step: Mapped[int | None]  # trajectory step, for agentic candidates
    category: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)


class WorkEvent(Base):
    """Declared work events (lease, submit, skip, idle, guidelines, practice, qualification, rework)
    from which paid time is computed. No keystroke, mouse or screen data is ever stored."""

    __tablename__ = "work_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    seconds: Mapped[float] = mapped_column(default=0.0)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)


# One counted judgment per annotator per item, enforced by the database itself.
Index(
    "uq_judgments_counted_once",
    Judgment.item_id,
    Judgment.user_id,
    unique=True,
    sqlite_where=text("counted"),
    postgresql_where=text("counted"),
)
