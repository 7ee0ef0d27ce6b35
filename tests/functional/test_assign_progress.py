"""progress_for, project_progress, gold_pool_status and declared work events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from codejury.assign import (
    JudgmentIn,
    Lease,
    gold_pool_status,
    next_item_for,
    progress_for,
    project_progress,
    record_event,
    record_idle,
    submit_judgment,
)
from codejury.db.models import Project, User, WorkEvent
from codejury.errors import InvalidInput
from support.builders import make_items, make_project, make_user

pytestmark = pytest.mark.db
T0 = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)


def work(session: Session, user: User, project: Project, at: datetime, skip: bool = False) -> None:
    got = next_item_for(session, user, project, now=at)
    assert isinstance(got, Lease), got
    payload = (
        JudgmentIn(skip_reason="other")
        if skip
        else JudgmentIn(ranking=got.display_order, strength=1)
    )
    submit_judgment(
        session, user, got.assignment_id, payload, idempotency_key=f"k{got.assignment_id}", now=at
    )


def test_an_annotators_progress(db: Session) -> None:
    project = make_project(db, overlap=2)
    make_items(db, project, 5)
    user = make_user(db, project)
    work(db, user, project, T0 - timedelta(days=1))
    work(db, user, project, T0)
    work(db, user, project, T0, skip=True)
    got = progress_for(db, user, project, now=T0 + timedelta(minutes=1))
    assert (got.judged_today, got.judged_total, got.counted_total, got.remaining_items) == (
        1,
        2,
        2,
        2,
    )


def test_today_follows_the_annotators_time_zone(db: Session) -> None:
    project = make_project(db)
    make_items(db, project, 2)
    user = make_user(db, project)
    user.timezone = "America/Los_Angeles"  # 09:30 UTC is 01:30 there; 07:30 UTC was yesterday
    db.commit()
    work(db, user, project, T0 - timedelta(hours=2))
    work(db, user, project, T0)
    assert progress_for(db, user, project, now=T0).judged_today == 1


def test_project_progress_states_hours_and_people(db: Session) -> None:
    project = make_project(db, overlap=2)
    make_items(db, project, 3)
    make_items(db, project, 1, is_gold=True)
    a, b, c = (make_user(db, project) for _ in range(3))
    work(db, a, project, T0 - timedelta(hours=2))
    work(db, b, project, T0 - timedelta(minutes=10))  # first item now complete
    work(db, a, project, T0 - timedelta(minutes=5))  # second item in progress
    next_item_for(db, c, project, now=T0)  # c's live lease: the second item (closest to completion)
    got = project_progress(db, project, now=T0)
    assert got.items == {"open": 1, "in_progress": 1, "complete": 1}
    assert got.gold_items == 1
    assert len(got.judgments_per_hour) == 24
    assert [n for _, n in got.judgments_per_hour][-3:] == [1, 0, 2]
    assert got.judgments_per_hour[-1][0] == datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    assert [(p.user_id, p.judgments, p.counted) for p in got.per_annotator] == [
        (a.id, 2, 2),
        (b.id, 1, 1),
    ]


def test_gold_pool_runs_low_for_the_annotator_who_saw_most(db: Session) -> None:
    project = make_project(db, overlap=3, gold_rate=1.0)
    make_items(db, project, 6)
    make_items(db, project, 3, is_gold=True)
    keen = make_user(db, project)
    make_user(db, project)  # has seen no gold: the minimum follows the keenest annotator
    fresh = gold_pool_status(db, project, low_threshold=2)
    assert (fresh.total, fresh.min_unseen, fresh.low) == (3, 3, False)
    for step in range(2):
        work(db, keen, project, T0 + timedelta(minutes=step))
    status = gold_pool_status(db, project, low_threshold=2)
    assert (status.total, status.min_unseen, status.low) == (3, 1, True)


def test_declared_events_store_seconds_only(db: Session) -> None:
    project = make_project(db)
    user = make_user(db, project)
    event_id = record_event(db, user, project, "guidelines", 120, {"guideline_version": 2}, now=T0)
    idle_id = record_idle(db, user, project, 45, now=T0)
    rows = {e.id: e for e in db.scalars(select(WorkEvent).where(WorkEvent.user_id == user.id))}
    assert (rows[event_id].kind, rows[event_id].seconds) == ("guidelines", 120.0)
    assert rows[event_id].started_at == T0 - timedelta(seconds=120)
    assert (rows[idle_id].kind, rows[idle_id].seconds) == ("idle", 45.0)
    with pytest.raises(InvalidInput, match=r"meta\.keys"):
        record_event(db, user, project, "practice", 5, {"keys": ["x", "y"]}, now=T0)
