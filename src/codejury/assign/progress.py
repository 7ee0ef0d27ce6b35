"""Numbers for the pages: an annotator's progress, a project's progress, the gold pool."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, and_, case, distinct, false, func, select, true
from sqlalchemy.orm import Session

from codejury.assign.eligibility import FilterContext, item_conditions, live_leases, registry
from codejury.db.base import utcnow
from codejury.db.models import Item, Judgment, Membership, Project, Task, User

GOLD_LOW_THRESHOLD = 5


@dataclass(frozen=True)
class AnnotatorProgress:
    judged_today: int  # since midnight in the annotator's time zone; skips not included
    judged_total: int
    counted_total: int
    remaining_items: int  # regular work items this annotator could still be given


@dataclass(frozen=True)
class AnnotatorCount:
    user_id: int
    name: str
    judgments: int
    counted: int
    skips: int
    late: int


@dataclass(frozen=True)
class ProjectProgress:
    items: dict[str, int]  # open | in_progress | complete (regular work items)
    gold_items: int
    judgments_per_hour: list[tuple[datetime, int]]  # last 24 hours, oldest first
    per_annotator: list[AnnotatorCount]


@dataclass(frozen=True)
class GoldPool:
    total: int
    min_unseen: int  # the fewest unseen gold items among the project's active annotators
    low: bool


def _start_of_today(user: User, now: datetime) -> datetime:
    try:
        zone = ZoneInfo(user.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = now.astimezone(zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def _first_versions(project_id: int) -> list[ColumnElement[bool]]:
    """Original submissions (revisions excluded), skips excluded."""
    return [
        Judgment.project_id == project_id,
        Judgment.supersedes_id.is_(None),
        Judgment.skip_reason.is_(None),
    ]


def progress_for(
    session: Session, user: User, project: Project, *, now: datetime | None = None
) -> AnnotatorProgress:
    now = now or utcnow()
    mine = [*_first_versions(project.id), Judgment.user_id == user.id]
    today = _start_of_today(user, now)
    total, today_n = session.execute(
        select(func.count(Judgment.id), func.count(case((Judgment.created_at >= today, 1)))).where(
            *mine
        )
    ).one()
    counted = session.scalar(
        select(func.count(Judgment.id)).where(
            Judgment.project_id == project.id,
            Judgment.user_id == user.id,
            Judgment.counted.is_(True),
        )
    )
    ctx = FilterContext(session, user, project, now, "work")
    remaining = session.scalar(
        select(func.count(Item.id))
        .join(Task, Task.id == Item.task_id)
        .where(
            Item.project_id == project.id,
            Item.purpose == "work",
            Item.is_gold == false(),
            *item_conditions(registry.filters, ctx),
        )
    )
    session.commit()
    return AnnotatorProgress(int(today_n), int(total), int(counted or 0), int(remaining or 0))


def project_progress(
    session: Session, project: Project, *, now: datetime | None = None
) -> ProjectProgress:
    now = now or utcnow()
    result = ProjectProgress(
        items=_item_states(session, project, now),
        gold_items=_gold_total(session, project),
        judgments_per_hour=_hourly(session, project, now),
        per_annotator=_per_annotator(session, project),
    )
    session.commit()
    return result


def _item_states(session: Session, project: Project, now: datetime) -> dict[str, int]:
    leases = live_leases(Item.id, now)
    state = case(
        (Item.counted >= project.overlap, "complete"),
        (and_(Item.counted == 0, leases == 0), "open"),
        else_="in_progress",
    )
    rows = session.execute(
        select(state, func.count(Item.id))
        .where(Item.project_id == project.id, Item.purpose == "work", Item.is_gold == false())
        .group_by(state)
    ).all()
    states = {"open": 0, "in_progress": 0, "complete": 0}
    states.update({str(name): int(n) for name, n in rows})
    return states


def _hourly(session: Session, project: Project, now: datetime) -> list[tuple[datetime, int]]:
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    start = end - timedelta(hours=24)
    times = session.scalars(
        select(Judgment.created_at).where(
            *_first_versions(project.id), Judgment.created_at >= start
        )
    ).all()
    buckets = [0] * 24
    for at in times:
        index = int((at - start).total_seconds() // 3600)
        if 0 <= index < 24:
            buckets[index] += 1
    return [(start + timedelta(hours=i), n) for i, n in enumerate(buckets)]


def _per_annotator(session: Session, project: Project) -> list[AnnotatorCount]:
    first = Judgment.supersedes_id.is_(None)
    rows = session.execute(
        select(
            User.id,
            User.name,
            func.count(case((and_(first, Judgment.skip_reason.is_(None)), 1))),
            func.count(case((Judgment.counted == true(), 1))),
            func.count(case((Judgment.skip_reason.is_not(None), 1))),
            func.count(case((and_(first, Judgment.late == true()), 1))),
        )
        .join(Judgment, Judgment.user_id == User.id)
        .where(Judgment.project_id == project.id)
        .group_by(User.id, User.name)
        .order_by(User.id)
    ).all()
    return [
        AnnotatorCount(int(u), str(n), int(j), int(c), int(s), int(late))
        for u, n, j, c, s, late in rows
    ]


def _gold_total(session: Session, project: Project) -> int:
    return int(
        session.scalar(
            select(func.count(Item.id)).where(
                Item.project_id == project.id, Item.purpose == "work", Item.is_gold == true()
            )
        )
        or 0
    )


def gold_pool_status(
    session: Session, project: Project, *, low_threshold: int = GOLD_LOW_THRESHOLD
) -> GoldPool:
    """How much gold is left to mix in; ``low`` when some annotator has nearly seen it all."""
    total = _gold_total(session, project)
    seen = (
        select(Judgment.user_id, func.count(distinct(Judgment.item_id)).label("n"))
        .join(Item, Item.id == Judgment.item_id)
        .where(Item.project_id == project.id, Item.is_gold == true(), Item.purpose == "work")
        .group_by(Judgment.user_id)
        .subquery()
    )
    most_seen = session.scalar(
        select(func.max(func.coalesce(seen.c.n, 0)))
        .select_from(Membership)
        .join(User, User.id == Membership.user_id)
        .outerjoin(seen, seen.c.user_id == Membership.user_id)
        .where(Membership.project_id == project.id, User.active.is_(True))
    )
    session.commit()
    min_unseen = total - int(most_seen or 0)
    low = min_unseen < low_threshold if (total or project.gold_rate > 0) else False
    return GoldPool(total=total, min_unseen=min_unseen, low=low)
