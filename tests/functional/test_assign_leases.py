"""next_item_for: eligibility rules, gold mix, priority, leases and their expiry."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from codejury.assign import (
    BaseFilter,
    FilterContext,
    JudgmentIn,
    Lease,
    NoWork,
    core_filters,
    expire_leases,
    next_item_for,
    release,
    submit_judgment,
)
from codejury.db.models import Assignment, Task, WorkEvent
from support.builders import add_versions, make_items, make_project, make_user

pytestmark = pytest.mark.db
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def lease(session: Session, user, project, at: datetime = T0, **kw) -> Lease:  # type: ignore[no-untyped-def]
    got = next_item_for(session, user, project, now=at, **kw)
    assert isinstance(got, Lease), got
    return got


def nothing(session: Session, user, project, at: datetime = T0, **kw) -> NoWork:  # type: ignore[no-untyped-def]
    got = next_item_for(session, user, project, now=at, **kw)
    assert isinstance(got, NoWork), got
    return got


def judge(session: Session, user, got: Lease, at: datetime = T0) -> None:  # type: ignore[no-untyped-def]
    payload = JudgmentIn(ranking=sorted(got.display_order), strength=1)
    submit_judgment(
        session, user, got.assignment_id, payload, idempotency_key=f"k{got.assignment_id}", now=at
    )


def test_lease_records_display_order_versions_expiry_and_event(db: Session) -> None:
    project = make_project(db)
    add_versions(db, project, [{"name": "correctness", "min": 1, "max": 5}])
    (item,) = make_items(db, project, 1, k=3)
    user = make_user(db, project)
    got = lease(db, user, project, lease_minutes=20)
    assert got.item_id == item.id and not got.resumed
    assert sorted(got.display_order) == item.candidate_ids
    assert (got.guideline_version, got.rubric_version) == (2, 1)
    assert got.expires_at == T0 + timedelta(minutes=20)
    events = db.scalars(select(WorkEvent).where(WorkEvent.user_id == user.id)).all()
    assert [(e.kind, e.assignment_id) for e in events] == [("lease", got.assignment_id)]


def test_reload_returns_the_live_lease_instead_of_a_new_item(db: Session) -> None:
    project = make_project(db)
    make_items(db, project, 3)
    user = make_user(db, project)
    first = lease(db, user, project)
    again = lease(db, user, project, at=T0 + timedelta(minutes=5))
    assert again.assignment_id == first.assignment_id and again.resumed
    count = db.scalar(select(Assignment.id).where(Assignment.user_id == user.id).limit(2).offset(1))
    assert count is None


def test_pairwise_display_order_is_a_coin_flip(db: Session) -> None:
    project = make_project(db, overlap=200)
    (item,) = make_items(db, project, 1)
    rng = random.Random(3)
    firsts = [
        lease(db, make_user(db, project), project, rng=rng).display_order[0] for _ in range(40)
    ]
    assert set(firsts) == set(item.candidate_ids)
    assert 10 <= firsts.count(item.candidate_ids[0]) <= 30


def test_skills_must_include_the_task_language(db: Session) -> None:
    project = make_project(db)
    make_items(db, project, 2, language="Python")
    rustacean = make_user(db, project, skills=["rust"])
    assert nothing(db, rustacean, project).code == "no_items"
    pythonista = make_user(db, project, skills=["go", "python"])
    assert lease(db, pythonista, project)
    anyone = make_user(db, project, skills=[])
    assert lease(db, anyone, project)


def test_membership_is_required_except_for_admins(db: Session) -> None:
    project = make_project(db)
    make_items(db, project, 2)
    assert nothing(db, make_user(db), project).code == "membership"
    assert nothing(db, make_user(db, role="manager"), project).code == "membership"
    assert lease(db, make_user(db, project, role="manager"), project)
    assert lease(db, make_user(db, role="admin"), project)


def test_inactive_users_and_unpublished_projects_get_nothing(db: Session) -> None:
    project = make_project(db)
    make_items(db, project, 2)
    gone = make_user(db, project, active=False)
    assert nothing(db, gone, project).code == "active_user"
    draft = make_project(db, status="draft")
    make_items(db, draft, 1)
    result = nothing(db, make_user(db, draft), draft)
    assert result.code == "project_open" and "draft" in result.reason


def test_never_an_item_already_judged_or_skipped(db: Session) -> None:
    project = make_project(db)
    first, second, third = make_items(db, project, 3)
    user = make_user(db, project)
    got = lease(db, user, project)
    assert got.item_id == first.id
    judge(db, user, got)
    got = lease(db, user, project)
    assert got.item_id == second.id
    skip = JudgmentIn(skip_reason="outside_expertise")
    submit_judgment(db, user, got.assignment_id, skip, idempotency_key="skip", now=T0)
    assert lease(db, user, project).item_id == third.id


def test_overlap_counts_live_leases_and_expired_ones_return(db: Session) -> None:
    project = make_project(db, overlap=2)
    (item,) = make_items(db, project, 1)
    a, b, c = (make_user(db, project) for _ in range(3))
    lease(db, a, project, lease_minutes=20)
    got_b = lease(db, b, project, lease_minutes=20)
    assert nothing(db, c, project, at=T0 + timedelta(minutes=19)).code == "no_items"
    # a's lease expires (no worker needed); c takes the place.
    assert lease(db, c, project, at=T0 + timedelta(minutes=21)).item_id == item.id
    judge(db, b, got_b, at=T0 + timedelta(minutes=22))
    assert nothing(db, a, project, at=T0 + timedelta(minutes=23)).code == "no_items"


def test_expire_leases_marks_only_past_leases(db: Session) -> None:
    project = make_project(db, overlap=5)
    make_items(db, project, 1)
    early, late = make_user(db, project), make_user(db, project)
    old = lease(db, early, project, lease_minutes=20)
    new = lease(db, late, project, at=T0 + timedelta(minutes=10), lease_minutes=20)
    assert expire_leases(db, now=T0 + timedelta(minutes=25)) >= 1
    assert db.get_one(Assignment, old.assignment_id).state == "expired"
    assert db.get_one(Assignment, new.assignment_id).state == "active"


def test_release_returns_the_item_to_others_not_to_the_releaser(db: Session) -> None:
    project = make_project(db, overlap=1)
    (item,) = make_items(db, project, 1)
    a, b = make_user(db, project), make_user(db, project)
    got = lease(db, a, project)
    assert nothing(db, b, project).code == "no_items"
    release(db, a, got.assignment_id, active_seconds=30, now=T0 + timedelta(minutes=2))
    assert db.get_one(Assignment, got.assignment_id).state == "released"
    assert nothing(db, a, project, at=T0 + timedelta(minutes=3)).code == "no_items"
    assert lease(db, b, project, at=T0 + timedelta(minutes=3)).item_id == item.id
    seconds = db.scalar(select(WorkEvent.seconds).where(WorkEvent.kind == "release"))
    assert seconds == 30


def test_priority_first_then_nearest_completion_then_oldest(db: Session) -> None:
    project = make_project(db, overlap=3)
    low, high, mid = (make_items(db, project, 1, priority=p)[0] for p in (0, 5, 1))
    fresh, started = make_items(db, project, 2, priority=1)
    started.counted = 1
    db.commit()
    user = make_user(db, project)
    order = []
    for step in range(5):
        got = lease(db, user, project, at=T0 + timedelta(minutes=step))
        order.append(got.item_id)
        judge(db, user, got, at=T0 + timedelta(minutes=step))
    assert order == [high.id, started.id, mid.id, fresh.id, low.id]


def test_gold_is_mixed_in_at_about_the_project_rate(db: Session) -> None:
    project = make_project(db, overlap=3, gold_rate=0.3)
    make_items(db, project, 5)
    gold = {i.id for i in make_items(db, project, 5, is_gold=True)}
    user = make_user(db, project)
    rng = random.Random(11)
    draws = 300
    hits = 0
    for step in range(draws):  # every lease runs out before the next request
        got = lease(db, user, project, at=T0 + timedelta(minutes=30 * step), rng=rng)
        hits += got.item_id in gold
    assert 0.22 <= hits / draws <= 0.38


def test_no_gold_once_every_gold_item_was_seen(db: Session) -> None:
    project = make_project(db, overlap=3, gold_rate=1.0)
    gold = make_items(db, project, 2, is_gold=True)
    regular = make_items(db, project, 3)
    user = make_user(db, project)
    seen = []
    for step in range(4):
        got = lease(db, user, project, at=T0 + timedelta(minutes=step))
        seen.append(got.item_id)
        judge(db, user, got, at=T0 + timedelta(minutes=step))
    assert seen[:2] == [g.id for g in gold]
    assert seen[2:] == [r.id for r in regular[:2]]


def test_gold_is_never_handed_out_alone(db: Session) -> None:
    project = make_project(db, overlap=1, gold_rate=1.0)
    make_items(db, project, 2, is_gold=True)
    assert nothing(db, make_user(db, project), project).code == "no_items"


def test_practice_items_only_when_asked_and_without_overlap(db: Session) -> None:
    project = make_project(db, overlap=1)
    (practice,) = make_items(db, project, 1, purpose="practice")
    a, b = make_user(db, project), make_user(db, project)
    assert nothing(db, a, project).code == "no_items"
    assert lease(db, a, project, purpose="practice").item_id == practice.id
    assert lease(db, b, project, purpose="practice").item_id == practice.id


class NoTag(BaseFilter):
    """A feature's filter: vetoes everyone when told to, and hides items tagged 'hidden'."""

    name = "tests_no_tag"

    def __init__(self, cap_reached: bool) -> None:
        self.cap_reached = cap_reached

    def veto(self, ctx: FilterContext) -> str | None:
        return "Daily cap reached." if self.cap_reached else None

    def conditions(self, ctx: FilterContext) -> Iterable[ColumnElement[bool]]:
        return (Task.kind != "hidden",)  # the candidate query joins Item with its Task


def test_a_registered_filter_can_veto_with_a_reason_and_add_conditions(db: Session) -> None:
    project = make_project(db)
    hidden, shown = make_items(db, project, 2)
    db.get_one(Task, hidden.task_id).kind = "hidden"
    db.commit()
    user = make_user(db, project)
    capped = nothing(db, user, project, filters=[*core_filters(), NoTag(cap_reached=True)])
    assert (capped.code, capped.reason) == ("tests_no_tag", "Daily cap reached.")
    got = lease(db, user, project, filters=[*core_filters(), NoTag(cap_reached=False)])
    assert got.item_id == shown.id
