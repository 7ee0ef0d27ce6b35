"""Wellbeing over the database: hours worked, caps, break status and sensitive-content opt-ins.

Worked time is read from ``WorkEvent`` rows across every project, through the same paid-time rules
as pay (``codejury.pay.time.paid_time``), so the hours a cap counts are the hours that are paid.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from codejury.accounts import audit
from codejury.db.base import utcnow
from codejury.db.models import Assignment, User, WorkEvent
from codejury.errors import InvalidInput
from codejury.pay.time import (
    END_KINDS,
    STANDALONE_KINDS,
    Event,
    PaidTime,
    TimeRule,
    paid_time,
    recorded_event,
)
from codejury.wellbeing.hours import (
    BreakStatus,
    Caps,
    Interval,
    break_status,
    caps_of,
    day_start,
    seconds_ended_between,
    week_start,
)

logger = logging.getLogger(__name__)

MAX_OPT_INS = 50
MAX_LABEL = 100
# How far before the window the events of a span may start (a lease before midnight).
LOOKBACK = timedelta(hours=13)


@dataclass(frozen=True)
class WorkedHours:
    today: float
    this_week: float
    day_start: datetime
    week_start: datetime
    caps: Caps


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_EVENT_COLUMNS = (
    WorkEvent.project_id,
    WorkEvent.kind,
    WorkEvent.started_at,
    WorkEvent.ended_at,
    WorkEvent.seconds,
    WorkEvent.assignment_id,
    WorkEvent.id,
)


def events_since(session: Session, user_id: int, since: datetime) -> list[tuple[int | None, Event]]:
    """One annotator's work events that started at or after ``since``, oldest first, each with its
    project. Plain rows without their ``meta``: the hour caps read a week of them on every lease."""
    query = (
        select(*_EVENT_COLUMNS)
        .where(WorkEvent.user_id == user_id, WorkEvent.started_at >= since)
        .order_by(WorkEvent.id)
    )
    return [
        (project, recorded_event(kind, started, ended, seconds, assignment, event_id))
        for project, kind, started, ended, seconds, assignment, event_id in session.execute(query)
    ]


def spans_since(
    session: Session,
    user_id: int,
    since: datetime,
    events: list[tuple[int | None, Event]] | None = None,
) -> list[PaidTime]:
    """Paid spans of work of one annotator from events since ``since``, all projects."""
    by_project: dict[int | None, list[Event]] = defaultdict(list)
    for project_id, event in (
        events if events is not None else events_since(session, user_id, since)
    ):
        by_project[project_id].append(event)
    return [span for group in by_project.values() for span in paid_time(group)]


def worked_hours(session: Session, user: User, now: datetime | None = None) -> WorkedHours:
    """Paid hours that ended today and this week in the annotator's time zone, with their caps."""
    now = now or utcnow()
    day, week = day_start(now, user.timezone), week_start(now, user.timezone)
    spans = [(s.ended_at, s.paid_seconds) for s in spans_since(session, user.id, week - LOOKBACK)]
    return WorkedHours(
        today=seconds_ended_between(spans, day, now) / 3600,
        this_week=seconds_ended_between(spans, week, now) / 3600,
        day_start=day,
        week_start=week,
        caps=caps_of(user.daily_cap_hours, user.weekly_cap_hours),
    )


def hours_against_caps(session: Session, user: User, now: datetime | None = None) -> WorkedHours:
    """Worked hours, as exact as the hour caps need them; the caps ask on every new lease.

    One aggregate query first bounds the paid time from above (each span is paid at most its
    extent, from its first event to its last, or the seconds its timer reported). While both
    bounds stay under the caps, no cap can have been reached and the bounds are returned; otherwise
    the exact hours (``worked_hours``)."""
    now = now or utcnow()
    day, week = day_start(now, user.timezone), week_start(now, user.timezone)
    caps = caps_of(user.daily_cap_hours, user.weekly_cap_hours)
    today, this_week = _paid_seconds_bounds(session, user.id, week - LOOKBACK, day, week)
    if today < caps.daily_hours * 3600 and this_week < caps.weekly_hours * 3600:
        return WorkedHours(today / 3600, this_week / 3600, day, week, caps)
    return worked_hours(session, user, now)


def _paid_seconds_bounds(
    session: Session, user_id: int, since: datetime, day: datetime, week: datetime
) -> tuple[float, float]:
    """Upper bounds on the paid seconds of spans that ended after ``day`` and after ``week``, over
    the same events ``spans_since(since)`` reads, grouped into spans as ``paid_time`` groups them:
    an assignment's events, or one standalone event.

    ``paid_time``'s rules never pay a span more than max(extent, s), where s is the largest timer
    report among its events; and, once a timer reported, never more than s plus the allowance.
    One second more covers rounding up."""
    least, greatest = (func.min, func.max) if _is_sqlite(session) else (func.least, func.greatest)
    moment = func.coalesce(WorkEvent.ended_at, WorkEvent.started_at)
    first, last = func.min(WorkEvent.started_at), func.max(moment)
    reported = func.max(WorkEvent.seconds)
    extent = _seconds_between(session, first, last)
    has_report = func.max(
        case((WorkEvent.kind.in_(END_KINDS), 1), (WorkEvent.seconds > 0, 1), else_=0)
    )
    bound = case(
        (has_report == 1, least(greatest(extent, reported), reported + TimeRule().allowance)),
        else_=extent,
    )
    standalone = WorkEvent.kind.in_(STANDALONE_KINDS) | WorkEvent.assignment_id.is_(None)
    span = case((standalone, -WorkEvent.id), else_=WorkEvent.assignment_id)
    spans = (
        select(last.label("last"), (bound + 1.0).label("bound"))
        .where(WorkEvent.user_id == user_id, WorkEvent.started_at >= since)
        .group_by(span)
        .subquery()
    )
    totals = select(
        func.sum(case((spans.c.last >= day, spans.c.bound), else_=0.0)),
        func.sum(case((spans.c.last >= week, spans.c.bound), else_=0.0)),
    )
    today, this_week = session.execute(totals).one()
    return float(today or 0.0), float(this_week or 0.0)


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _seconds_between(
    session: Session, start: ColumnElement[Any], end: ColumnElement[Any]
) -> ColumnElement[Any]:
    if _is_sqlite(session):  # SQLite keeps times as text; two arguments make min/max scalar
        return (func.julianday(end) - func.julianday(start)) * 86400.0
    return func.extract("epoch", end - start)


def _live_leases(session: Session, user_id: int, now: datetime) -> list[Interval]:
    query = select(Assignment.leased_at).where(
        Assignment.user_id == user_id,
        Assignment.state == "active",
        Assignment.expires_at > now,
    )
    return [Interval(_aware(at), now) for at in session.scalars(query)]


def break_due(session: Session, user: User, now: datetime | None = None) -> BreakStatus:
    """Whether the annotator has worked long enough without a pause to be reminded of a break.

    Work: paid spans of the last hours plus any live lease (from its start to ``now``); breaks:
    declared ``break`` events.
    """
    now = now or utcnow()
    since = now - timedelta(hours=12)
    events = events_since(session, user.id, since)
    spans = spans_since(session, user.id, since, events)
    work = [Interval(s.started_at, s.ended_at) for s in spans if s.paid_seconds > 0]
    work += _live_leases(session, user.id, now)
    breaks = [
        Interval(e.started_at, e.ended_at or e.started_at) for _, e in events if e.kind == "break"
    ]
    return break_status(work, breaks, now)


def set_opt_ins(
    session: Session, user: User, labels: Sequence[str], now: datetime | None = None
) -> User:
    """Replace the annotator's sensitive-content opt-ins (audited)."""
    clean = sorted({str(label).strip() for label in labels if str(label).strip()})
    problems = [f"labels: at most {MAX_LABEL} characters each" for x in clean if len(x) > MAX_LABEL]
    if len(clean) > MAX_OPT_INS:
        problems.append(f"labels: at most {MAX_OPT_INS}")
    if problems:
        raise InvalidInput("The opt-ins are not valid.", sorted(set(problems)))
    before = list(user.sensitive_opt_ins or [])
    user.sensitive_opt_ins = clean
    audit(session, user, "user.sensitive_opt_ins", "user", user.id, {"opt_ins": before},
          {"opt_ins": clean})  # fmt: skip
    session.commit()
    logger.info("user %s set %d sensitive opt-ins", user.id, len(clean))
    return user
