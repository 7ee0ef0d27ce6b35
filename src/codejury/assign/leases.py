"""Handing out items: ``next_item_for``, lease expiry and giving an item back.

Concurrency: on PostgreSQL the chosen item row is locked with ``FOR UPDATE SKIP LOCKED`` (one row
at a time) and its capacity re-checked under the lock; every change to an item's capacity (a lease,
a counted submit) holds that row lock, so the re-check sees the truth. On SQLite each transaction
takes the write lock at ``BEGIN IMMEDIATE``, so transactions run one after another.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, select, true, update
from sqlalchemy.orm import Session

from codejury.assign.eligibility import (
    EligibilityFilter,
    FilterContext,
    first_veto,
    item_conditions,
    live_leases,
    registry,
)
from codejury.assign.schemas import Lease, NoWork
from codejury.config import get_settings
from codejury.db.base import utcnow
from codejury.db.models import (
    Assignment,
    GuidelineVersion,
    Item,
    Project,
    RubricVersion,
    Task,
    User,
    WorkEvent,
)
from codejury.errors import Conflict, InvalidInput, NotFound

logger = logging.getLogger(__name__)

PURPOSES = ("work", "practice", "qualification")
_LOCK_TRIES = 8


def next_item_for(
    session: Session,
    user: User,
    project: Project,
    *,
    now: datetime | None = None,
    purpose: str = "work",
    lease_minutes: int | None = None,
    rng: random.Random | None = None,
    filters: Sequence[EligibilityFilter] | None = None,
) -> Lease | NoWork:
    """The annotator's live lease on this project, else a new one, else ``NoWork`` and why."""
    if purpose not in PURPOSES:
        raise InvalidInput("Unknown purpose.", [f"purpose: must be one of {', '.join(PURPOSES)}"])
    now = now or utcnow()
    rng = rng or random.SystemRandom()
    minutes = lease_minutes if lease_minutes is not None else get_settings().lease_minutes
    ctx = FilterContext(session, user, project, now, purpose)
    flts = registry.filters if filters is None else list(filters)
    veto = first_veto(flts, ctx)
    existing = _live_assignment(session, user, project, purpose, now)
    if veto is not None and not (existing is not None and _lets_lease_finish(flts, veto[0])):
        session.commit()  # ends the transaction (and SQLite's write lock); nothing was written
        return NoWork(code=veto[0], reason=veto[1])
    if existing is not None:
        session.commit()
        return _lease(existing, purpose, resumed=True)
    item = _pick_item(ctx, flts, rng)
    if item is None:
        session.commit()
        return NoWork(code="no_items", reason="No items are waiting for you right now.")
    assignment = _create_assignment(session, user, project, item, now, minutes, rng)
    session.commit()
    return _lease(assignment, purpose, resumed=False)


def _lets_lease_finish(filters: Sequence[EligibilityFilter], name: str) -> bool:
    """Whether the vetoing filter stops only new work (an hour cap), not an item already in hand."""
    return any(getattr(f, "lets_lease_finish", False) for f in filters if f.name == name)


def _live_assignment(
    session: Session, user: User, project: Project, purpose: str, now: datetime
) -> Assignment | None:
    stmt = (
        select(Assignment)
        .join(Item, Item.id == Assignment.item_id)
        .where(
            Assignment.user_id == user.id,
            Assignment.project_id == project.id,
            Assignment.state == "active",
            Assignment.expires_at > now,
            Item.purpose == purpose,
        )
        .order_by(Assignment.leased_at.desc(), Assignment.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def _pick_item(
    ctx: FilterContext, flts: Sequence[EligibilityFilter], rng: random.Random
) -> Item | None:
    """Gold with probability ``gold_rate`` (if the annotator has unseen gold), else regular work."""
    conditions = item_conditions(flts, ctx)
    if ctx.purpose != "work":
        return _lock_first(ctx, _candidates(ctx, conditions, gold=None))
    regular = _candidates(ctx, conditions, gold=False)
    want_gold = ctx.project.gold_rate > 0 and rng.random() < ctx.project.gold_rate
    # Gold only works mixed in: once regular work runs out, no gold is handed out on its own.
    if want_gold and ctx.session.scalars(regular.limit(1)).first() is not None:
        item = _lock_first(ctx, _candidates(ctx, conditions, gold=True))
        if item is not None:
            return item
    return _lock_first(ctx, regular)


def _candidates(
    ctx: FilterContext, conditions: list[ColumnElement[bool]], gold: bool | None
) -> Select[Any]:
    stmt = (
        select(Item)
        .join(Task, Task.id == Item.task_id)
        .where(Item.project_id == ctx.project.id, Item.purpose == ctx.purpose, *conditions)
    )
    if gold is not None:
        stmt = stmt.where(Item.is_gold == (true() if gold else false()))
    # Higher priority first, then the item closest to completion, then the oldest.
    return stmt.order_by(Item.priority.desc(), Item.counted.desc(), Item.id)


def _lock_first(ctx: FilterContext, stmt: Select[Any]) -> Item | None:
    """Lock the first candidate nobody else holds and confirm it still has room."""
    rejected: list[int] = []
    for _ in range(_LOCK_TRIES):
        query = stmt.where(Item.id.not_in(rejected)) if rejected else stmt
        query = query.limit(1).with_for_update(skip_locked=True, of=Item)
        item: Item | None = ctx.session.scalars(
            query.execution_options(populate_existing=True)
        ).first()
        if item is None:
            return None
        if _has_room(ctx, item):
            return item
        rejected.append(item.id)
    logger.warning("gave up finding an item for user %s after %s tries", ctx.user.id, _LOCK_TRIES)
    return None


def _has_room(ctx: FilterContext, item: Item) -> bool:
    """Re-check capacity in a fresh statement, under the item's row lock."""
    if ctx.purpose != "work" or item.is_gold:
        return True
    taken = ctx.session.scalar(select(live_leases(item.id, ctx.now)))
    return item.counted + int(taken or 0) < ctx.project.overlap


def _create_assignment(
    session: Session,
    user: User,
    project: Project,
    item: Item,
    now: datetime,
    minutes: int,
    rng: random.Random,
) -> Assignment:
    order = [int(c) for c in item.candidate_ids]
    rng.shuffle(order)
    guidelines, rubric = current_versions(session, project.id)
    assignment = Assignment(
        item_id=item.id,
        user_id=user.id,
        project_id=project.id,
        display_order=order,
        state="active",
        leased_at=now,
        expires_at=now + timedelta(minutes=minutes),
        guideline_version=guidelines,
        rubric_version=rubric,
    )
    session.add(assignment)
    session.flush()
    session.add(
        WorkEvent(
            user_id=user.id,
            project_id=project.id,
            kind="lease",
            assignment_id=assignment.id,
            started_at=now,
            ended_at=now,
            seconds=0.0,
            meta={"item_id": item.id},
        )
    )
    return assignment


def current_versions(session: Session, project_id: int) -> tuple[int | None, int | None]:
    """The project's current guideline and rubric versions, in one round trip."""
    both = select(
        _latest(GuidelineVersion, project_id).scalar_subquery(),
        _latest(RubricVersion, project_id).scalar_subquery(),
    )
    guidelines, rubric = session.execute(both).one()
    return guidelines, rubric


def _latest(model: type[GuidelineVersion] | type[RubricVersion], project_id: int) -> Select[Any]:
    return select(func.max(model.version)).where(model.project_id == project_id)


def _lease(assignment: Assignment, purpose: str, *, resumed: bool) -> Lease:
    return Lease(
        assignment_id=assignment.id,
        item_id=assignment.item_id,
        project_id=assignment.project_id,
        purpose=purpose,
        display_order=[int(c) for c in assignment.display_order],
        leased_at=assignment.leased_at,
        expires_at=assignment.expires_at,
        guideline_version=assignment.guideline_version,
        rubric_version=assignment.rubric_version,
        resumed=resumed,
    )


def expire_leases(session: Session, now: datetime | None = None) -> int:
    """Mark every active lease past its expiry as expired; returns how many. Run by the worker."""
    now = now or utcnow()
    result = session.execute(
        update(Assignment)
        .where(Assignment.state == "active", Assignment.expires_at <= now)
        .values(state="expired", finished_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        logger.info("expired %s leases", count)
    return count


def release(
    session: Session,
    user: User,
    assignment_id: int,
    *,
    active_seconds: float | None = None,
    now: datetime | None = None,
) -> None:
    """The annotator gives a leased item back: back to the pool, never offered to them again."""
    now = now or utcnow()
    assignment = own_assignment(session, user, assignment_id)
    if assignment.state != "active":
        raise Conflict(
            f"Assignment {assignment_id} is {assignment.state}; only an active one can be released."
        )
    assignment.state = "released"
    assignment.finished_at = now
    elapsed = max(0.0, (now - assignment.leased_at).total_seconds())
    # Without a timer report nothing is recorded (0): holding an item earns nothing by itself.
    seconds = 0.0 if active_seconds is None else min(max(0.0, active_seconds), elapsed)
    session.add(
        WorkEvent(
            user_id=user.id,
            project_id=assignment.project_id,
            kind="release",
            assignment_id=assignment.id,
            started_at=assignment.leased_at,
            ended_at=now,
            seconds=seconds,
            meta={"item_id": assignment.item_id},
        )
    )
    session.commit()


def own_assignment(
    session: Session, user: User, assignment_id: int, *, lock: bool = False
) -> Assignment:
    """The user's assignment (row-locked when asked); someone else's reads as not found."""
    stmt = select(Assignment).where(Assignment.id == assignment_id, Assignment.user_id == user.id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    assignment = session.scalars(stmt).first()
    if assignment is None:
        raise NotFound(f"No assignment {assignment_id} for you.")
    return assignment
