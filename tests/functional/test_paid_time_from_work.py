"""Paid time and hour caps from the events the assignment engine itself writes (lease, submit, skip,
release), not from hand-built event rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

import codejury.wellbeing.filters  # noqa: F401  (registers the hour caps)
from codejury.assign import (
    JudgmentIn,
    Lease,
    NoWork,
    SubmitResult,
    next_item_for,
    release,
    revise_judgment,
    submit_judgment,
)
from codejury.assign.events import record_event, record_idle
from codejury.db.models import Project, User
from codejury.wellbeing.store import hours_against_caps, spans_since, worked_hours
from support.builders import make_items, make_project, make_user

pytestmark = pytest.mark.db
T0 = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # a Wednesday morning, UTC


def _lease(db: Session, user: User, project_id: int, at: datetime) -> Lease:
    got = next_item_for(db, user, db.get_one(Project, project_id), now=at, lease_minutes=60)
    assert isinstance(got, Lease), got
    return got


def _submit(
    db: Session, user: User, got: Lease, at: datetime, active: float, **extra: object
) -> SubmitResult:
    vote = {"ranking": got.display_order, "strength": 1} if "skip_reason" not in extra else {}
    payload = JudgmentIn.model_validate({**vote, "active_seconds": active, **extra})
    return submit_judgment(db, user, got.assignment_id, payload, idempotency_key=f"k{at}", now=at)


def test_a_submit_pays_its_active_seconds_within_the_lease_window(db: Session) -> None:
    project = make_project(db)
    make_items(db, project, 1)
    user = make_user(db, project)
    got = _lease(db, user, project.id, T0)
    _submit(db, user, got, T0 + timedelta(minutes=20), active=1000)

    [span] = spans_since(db, user.id, T0 - timedelta(hours=1))
    # min(server window 1200 s, active 1000 s + 60 s allowance)
    assert (span.kind, span.paid_seconds, span.server_seconds) == ("assignment", 1060, 1200)
    assert span.ended_at == T0 + timedelta(minutes=20)
    hours = worked_hours(db, user, T0 + timedelta(minutes=30))
    assert hours.today == pytest.approx(1060 / 3600)


def test_a_skip_is_paid_and_a_walked_away_lease_is_not(db: Session) -> None:
    project = make_project(db)
    make_items(db, project, 2)
    user = make_user(db, project)
    got = _lease(db, user, project.id, T0)
    _submit(db, user, got, T0 + timedelta(minutes=2), active=90, skip_reason="unclear_prompt")
    _lease(db, user, project.id, T0 + timedelta(minutes=3))  # open, never submitted

    spans = spans_since(db, user.id, T0 - timedelta(hours=1))
    assert [(s.kind, s.paid_seconds) for s in spans] == [("skip", 120)]


def test_a_released_lease_pays_the_reported_seconds_capped_by_its_window(db: Session) -> None:
    project = make_project(db)
    make_items(db, project, 2)
    user = make_user(db, project)
    first = _lease(db, user, project.id, T0)
    release(db, user, first.assignment_id, active_seconds=300, now=T0 + timedelta(minutes=10))
    second = _lease(db, user, project.id, T0 + timedelta(minutes=11))
    release(db, user, second.assignment_id, active_seconds=900, now=T0 + timedelta(minutes=12))

    spans = spans_since(db, user.id, T0 - timedelta(hours=1))
    assert [(s.kind, s.paid_seconds) for s in spans] == [("expired", 300), ("expired", 60)]


def test_the_daily_cap_stops_new_work_after_real_submits(db: Session) -> None:
    project = make_project(db)
    make_items(db, project, 5)
    user = make_user(db, project)
    user.daily_cap_hours = 1.0
    db.commit()
    at = T0
    for _ in range(3):  # three items of 20 minutes' work: one hour
        got = _lease(db, user, project.id, at)
        at += timedelta(minutes=20)
        _submit(db, user, got, at, active=1200)

    stopped = next_item_for(db, user, project, now=at + timedelta(seconds=1))
    assert isinstance(stopped, NoWork) and stopped.code == "daily_cap"
    tomorrow = next_item_for(db, user, project, now=T0 + timedelta(days=1))
    assert isinstance(tomorrow, Lease)


def test_the_cap_bounds_are_never_below_the_exact_hours(db: Session) -> None:
    project = make_project(db)
    make_items(db, project, 6)
    user = make_user(db, project)
    at = T0 - timedelta(days=1)  # Tuesday: part of the week, not of today
    for n, (hold, active) in enumerate([(20, 1000), (30, 300), (10, 900), (5, None)]):
        got = _lease(db, user, project.id, at)
        at += timedelta(minutes=hold)
        if n == 1:
            release(db, user, got.assignment_id, active_seconds=active, now=at)
        else:
            done = _submit(db, user, got, at, active=active or 0)
        if n == 0:  # rework whose timer window reaches back over the item's own lease
            again = JudgmentIn(ranking=got.display_order[::-1], strength=1, active_seconds=1500)
            revised = at + timedelta(minutes=2)
            revise_judgment(db, user, done.judgment_id, again, idempotency_key="r", now=revised)
        at = T0 if n == 1 else at + timedelta(minutes=3)
    record_event(db, user, project, "guidelines", 240, now=at + timedelta(minutes=5))
    record_idle(db, user, project, 400, now=at + timedelta(minutes=6))
    _lease(db, user, project.id, at + timedelta(minutes=7))  # still open
    now = at + timedelta(minutes=30)

    exact = worked_hours(db, user, now)
    bounded = hours_against_caps(db, user, now)
    assert exact.today > 0 and exact.this_week > exact.today
    assert bounded.today >= exact.today and bounded.this_week >= exact.this_week
    user.daily_cap_hours = exact.today + 0.01  # the bound is over it, the hours are not
    assert bounded.today > user.daily_cap_hours
    assert hours_against_caps(db, user, now) == worked_hours(db, user, now)
