"""Hypothesis: whatever annotators do, in whatever order, the counts stay true."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from codejury.assign import (
    JudgmentIn,
    Lease,
    expire_leases,
    next_item_for,
    release,
    submit_judgment,
)
from codejury.db.models import Item, Judgment
from support.builders import make_items, make_project, make_user

pytestmark = pytest.mark.db
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
ACTIONS = st.lists(
    st.tuples(st.integers(0, 3), st.sampled_from(["submit", "skip", "release", "wait", "retry"])),
    min_size=5,
    max_size=40,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=ACTIONS)
def test_counts_never_exceed_overlap_and_match_the_rows(
    db: Session, actions: list[tuple[int, str]]
) -> None:
    project = make_project(db, overlap=2)
    items = make_items(db, project, 3)
    users = [make_user(db, project) for _ in range(4)]
    now, last_key = T0, {}
    for who, action in actions:
        user = users[who]
        now += timedelta(minutes=7)
        if action == "wait":
            expire_leases(db, now=now)
            continue
        got = next_item_for(db, user, project, now=now, lease_minutes=10)
        if not isinstance(got, Lease):
            continue
        if action == "release":
            release(db, user, got.assignment_id, now=now)
        elif action == "retry" and who in last_key:
            aid, key, payload = last_key[who]
            assert submit_judgment(db, user, aid, payload, idempotency_key=key, now=now).replayed
        else:
            payload = (
                JudgmentIn(skip_reason="other")
                if action == "skip"
                else JudgmentIn(ranking=got.display_order, strength=1)
            )
            key = f"{who}-{got.assignment_id}"
            submit_judgment(db, user, got.assignment_id, payload, idempotency_key=key, now=now)
            last_key[who] = (got.assignment_id, key, payload)
    for item in items:
        stored = db.get_one(Item, item.id).counted
        rows = db.execute(
            select(func.count(), func.count(func.distinct(Judgment.user_id))).where(
                Judgment.item_id == item.id, Judgment.counted.is_(True)
            )
        ).one()
        assert stored == rows[0] == rows[1] <= project.overlap
