"""Wellbeing on real SQLite and PostgreSQL: hour caps, break status, sensitive-content opt-ins, and
skipping a sensitive item never counting against the annotator."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

import codejury.wellbeing.filters  # noqa: F401  (registers the wellbeing filters)
from codejury.assign import JudgmentIn, Lease, NoWork, next_item_for, release, submit_judgment
from codejury.db.models import Assignment, Item, Project, User, WorkEvent
from codejury.pay.store import earnings_summary, set_pay_rate
from codejury.quality.gold import gold_accuracy
from codejury.quality.store import gold_results, project_quality
from codejury.wellbeing.sensitive import task_marked
from codejury.wellbeing.store import break_due, set_opt_ins, worked_hours
from functional.test_quality_store import add_judgment
from support.builders import add_item, make_project, make_user

pytestmark = pytest.mark.db
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # a Wednesday


def work_span(db: Session, user: User, project: Project, start: datetime, minutes: float) -> None:
    """One leased and submitted assignment of ``minutes``, with the events pay reads."""
    item, _ = add_item(db, project, ["m1", "m2"])
    end = start + timedelta(minutes=minutes)
    a = Assignment(
        item_id=item.id, user_id=user.id, project_id=project.id, display_order=item.candidate_ids,
        leased_at=start, expires_at=start + timedelta(hours=2), finished_at=end, state="submitted",
    )  # fmt: skip
    db.add(a)
    db.flush()
    db.add_all(
        [
            WorkEvent(user_id=user.id, project_id=project.id, kind="lease", assignment_id=a.id,
                      started_at=start, ended_at=start),
            WorkEvent(user_id=user.id, project_id=project.id, kind="submit", assignment_id=a.id,
                      started_at=end, ended_at=end, seconds=minutes * 60),
        ]
    )  # fmt: skip
    db.flush()


def serve_all(db: Session, user: User, project: Project, now: datetime) -> list[Item]:
    """Lease and give back items until there is no work; the items served."""
    served = []
    for _ in range(100):
        lease = next_item_for(db, user, project, now=now)
        if isinstance(lease, NoWork):
            return served
        served.append(db.get(Item, lease.item_id))
        release(db, user, lease.assignment_id, now=now)
    raise AssertionError("never ran out of work")


TAGS: list[dict[str, Any]] = [
    {"topic": "violence"},
    {"topic": ["history", "violence"]},
    {"graphic": True},
    {"topic": "cooking"},
    {"topic": ["history"]},
    {"graphic": None},
    {},
]


def test_annotator_without_opt_in_is_never_served_sensitive_tasks(db: Session) -> None:
    project = make_project(db, overlap=3, sensitive_tags=["topic=violence", "graphic"])
    items = {add_item(db, project, ["a", "b"], tags=tags)[0].id: tags for tags in TAGS}
    db.commit()
    entries = list(project.sensitive_tags)
    marked = {i for i, tags in items.items() if any(task_marked(tags, e) for e in entries)}
    assert len(marked) == 3

    plain = make_user(db, project)
    served = {i.id for i in serve_all(db, plain, project, NOW)}
    assert served == set(items) - marked  # every other item, none of the sensitive ones

    partial = make_user(db, project)
    set_opt_ins(db, partial, ["graphic"])
    served = {i.id for i in serve_all(db, partial, project, NOW)}
    assert served == set(items) - marked | {i for i, t in items.items() if t.get("graphic")}

    willing = make_user(db, project)
    set_opt_ins(db, willing, ["topic=violence", "graphic"])
    assert {i.id for i in serve_all(db, willing, project, NOW)} == set(items)


def test_sensitive_project_needs_an_opt_in_to_every_label(db: Session) -> None:
    project = make_project(db, sensitive=True, content_warnings=["violence", "self-harm"])
    add_item(db, project, ["a", "b"])
    db.commit()
    user = make_user(db, project)
    set_opt_ins(db, user, ["violence"])
    result = next_item_for(db, user, project, now=NOW)
    assert isinstance(result, NoWork) and result.code == "sensitive_project"
    assert "self-harm" in result.reason and "violence" not in result.reason
    set_opt_ins(db, user, ["violence", "self-harm"])
    assert isinstance(next_item_for(db, user, project, now=NOW), Lease)


def test_assignment_stops_at_the_daily_cap_with_a_message(db: Session) -> None:
    project = make_project(db)
    add_item(db, project, ["a", "b"])
    user = make_user(db, project)
    user.daily_cap_hours = 1.0
    work_span(db, user, project, NOW - timedelta(hours=3), 40)
    work_span(db, user, project, NOW - timedelta(hours=2), 20)
    db.commit()

    result = next_item_for(db, user, project, now=NOW)
    assert isinstance(result, NoWork) and result.code == "daily_cap"
    assert result.reason == (
        "You reached your daily cap of 1 h (1.0 h worked today). Work resumes tomorrow."
    )
    tomorrow = NOW.replace(hour=0) + timedelta(days=1, minutes=1)
    assert isinstance(next_item_for(db, user, project, now=tomorrow), Lease)


def test_reaching_the_cap_mid_item_keeps_the_item_in_hand(db: Session) -> None:
    project = make_project(db)
    add_item(db, project, ["a", "b"])
    user = make_user(db, project)
    user.daily_cap_hours = 1.0
    db.commit()
    lease = next_item_for(db, user, project, now=NOW)
    assert isinstance(lease, Lease)
    work_span(db, user, project, NOW - timedelta(hours=2), 61)  # the cap is now reached
    db.commit()
    again = next_item_for(db, user, project, now=NOW + timedelta(minutes=1))
    assert isinstance(again, Lease) and again.resumed and again.assignment_id == lease.assignment_id


def test_days_and_weeks_follow_the_annotators_time_zone(db: Session) -> None:
    project = make_project(db)
    user = make_user(db, project)
    user.timezone = "Asia/Tokyo"  # UTC+9: NOW is 00:00 Thursday there
    work_span(db, user, project, NOW - timedelta(minutes=90), 60)  # ended 23:30 Wednesday, Tokyo
    db.commit()
    hours = worked_hours(db, user, NOW)
    assert (hours.today, hours.this_week) == (0.0, 1.0)
    assert hours.day_start == NOW and hours.caps.daily_hours == 8.0  # the operator default


def test_assignment_stops_at_the_weekly_cap(db: Session) -> None:
    project = make_project(db)
    add_item(db, project, ["a", "b"])
    user = make_user(db, project)
    user.weekly_cap_hours = 2.0
    monday = datetime(2026, 11, 23, 9, tzinfo=UTC)
    work_span(db, user, project, monday, 60)
    work_span(db, user, project, monday + timedelta(days=1), 60)
    work_span(db, user, project, monday - timedelta(days=1), 60)  # last week: not counted
    db.commit()
    result = next_item_for(db, user, project, now=NOW)
    assert isinstance(result, NoWork) and result.code == "weekly_cap"
    assert "weekly cap of 2 h (2.0 h worked this week)" in result.reason


def test_break_is_due_after_50_minutes_without_a_5_minute_gap(db: Session) -> None:
    project = make_project(db)
    user = make_user(db, project)
    start = NOW - timedelta(minutes=56)
    for i in range(4):  # 12-minute items with 2-minute gaps: 54 minutes of continuous work
        work_span(db, user, project, start + timedelta(minutes=14 * i), 12)
    db.commit()
    status = break_due(db, user, NOW)
    assert status.due and status.since == start and status.continuous_minutes == 56.0
    assert not break_due(db, user, NOW + timedelta(minutes=10)).due  # resting for 12 minutes

    other = make_user(db, project)
    work_span(db, other, project, NOW - timedelta(minutes=60), 25)
    work_span(db, other, project, NOW - timedelta(minutes=29), 28)  # a 6-minute gap before
    db.commit()
    status = break_due(db, other, NOW)
    assert not status.due and status.continuous_minutes == 29.0


def _skip(db: Session, user: User, project: Project) -> Item:
    lease = next_item_for(db, user, project, now=NOW)
    assert isinstance(lease, Lease)
    payload = JudgmentIn(skip_reason="harmful_content", active_seconds=20)
    result = submit_judgment(
        db, user, lease.assignment_id, payload, idempotency_key=uuid.uuid4().hex, now=NOW
    )
    assert result.skipped
    item = db.get(Item, lease.item_id)
    assert item is not None
    return item


def _metrics(db: Session, project: Project, user: User) -> tuple[Any, ...]:
    gold = gold_accuracy(gold_results(db, project, user.id))
    flags = sorted(f.kind for f in project_quality(db, project, NOW).flags if f.worker == user.id)
    usd = earnings_summary(db, user, project, now=NOW)["currencies"][0]
    pay = (usd["pending_count"], usd["pending"], usd["approved_count"], usd["approved"])
    return gold, flags, pay


def test_skipping_a_sensitive_item_changes_no_metric(db: Session) -> None:
    project = make_project(db, overlap=1, sensitive_tags=["graphic"])
    set_pay_rate(db, project, "0.50", "12", now=NOW - timedelta(days=30))
    user = make_user(db, project)
    set_opt_ins(db, user, ["graphic"])
    for i in range(12):  # gold: 6 right, 6 wrong, all fast enough to flag nothing but accuracy
        item, ids = add_item(db, project, ["a", "b"])
        item.is_gold, item.gold_answer = True, {"ranking": ids, "strength": 1, "reason": "a wins"}
        ranking = ids if i % 2 else ids[::-1]
        add_judgment(db, user, item, ranking, 1, at=NOW - timedelta(hours=1), status="accepted")
    for _ in range(3):
        item, ids = add_item(db, project, ["a", "b"])
        add_judgment(db, user, item, ids, 1, at=NOW - timedelta(hours=1))
    add_item(db, project, ["a", "b"], tags={"graphic": "yes"})
    db.commit()
    before = _metrics(db, project, user)
    assert before[0][0].n == 12 and before[2][0] == 3 and before[2][2] == 12

    skipped = _skip(db, user, project)
    db.commit()
    assert task_marked(skipped_task_tags(db, skipped), "graphic")
    assert _metrics(db, project, user) == before
    paid = earnings_summary(db, user, project, now=NOW + timedelta(days=8))
    assert paid["currencies"][0]["pending_count"] == 3  # the skip is no piece of work


def skipped_task_tags(db: Session, item: Item) -> dict[str, Any]:
    from codejury.db.models import Task

    task = db.get(Task, item.task_id)
    assert task is not None
    return dict(task.tags)
