"""submit_judgment and revise_judgment: counting, idempotency, late submits, validation, revisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from codejury.assign import (
    JudgmentIn,
    Lease,
    expire_leases,
    next_item_for,
    revise_judgment,
    submit_judgment,
)
from codejury.db.models import Assignment, ErrorSpan, Item, Judgment, Project, User, WorkEvent
from codejury.errors import Conflict, InvalidInput, NotFound
from support.builders import add_versions, make_items, make_project, make_user

pytestmark = pytest.mark.db
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
CRITERIA = [{"name": "correctness", "min": 1, "max": 5}, {"name": "style", "min": 0, "max": 2}]


def lease(session: Session, user: User, project: Project, at: datetime = T0) -> Lease:
    got = next_item_for(session, user, project, now=at, lease_minutes=20)
    assert isinstance(got, Lease), got
    return got


def vote(got: Lease, **extra: object) -> JudgmentIn:
    return JudgmentIn.model_validate({"ranking": got.display_order[::-1], "strength": 2, **extra})


def counted_rows(session: Session, item_id: int) -> int:
    stmt = select(func.count()).where(Judgment.item_id == item_id, Judgment.counted.is_(True))
    return int(session.scalar(stmt) or 0)


def test_submit_stores_candidate_ids_shown_order_versions_and_counts(db: Session) -> None:
    project = make_project(db)
    add_versions(db, project, CRITERIA)
    (item,) = make_items(db, project, 1)
    user = make_user(db, project)
    got = lease(db, user, project)
    cand = got.display_order[0]
    payload = vote(
        got,
        ratings={str(cand): {"correctness": 4, "style": 2}},
        error_spans=[
            {
                "candidate_id": cand,
                "line_start": 2,
                "line_end": 2,
                "category": "logic",
                "severity": "major",
            }
        ],
        rationale="The second one handles negatives.",
        active_seconds=50,
    )
    result = submit_judgment(
        db, user, got.assignment_id, payload, idempotency_key="a", now=T0 + timedelta(minutes=1)
    )
    assert result.counted and not result.late and not result.replayed
    judgment = db.get_one(Judgment, result.judgment_id)
    assert judgment.ranking == got.display_order[::-1]
    assert judgment.shown_order == got.display_order
    assert (judgment.guideline_version, judgment.rubric_version) == (2, 1)
    assert (judgment.server_seconds, judgment.active_seconds) == (60.0, 50.0)
    assert (
        db.scalar(select(ErrorSpan.category).where(ErrorSpan.judgment_id == judgment.id)) == "logic"
    )
    assert db.get_one(Item, item.id).counted == 1 == counted_rows(db, item.id)
    assert db.get_one(Assignment, got.assignment_id).state == "submitted"
    event = db.scalars(
        select(WorkEvent).where(WorkEvent.kind == "submit", WorkEvent.user_id == user.id)
    ).one()
    assert event.seconds == 50.0


def test_active_seconds_are_clamped_to_server_time(db: Session) -> None:
    project = make_project(db)
    make_items(db, project, 1)
    user = make_user(db, project)
    got = lease(db, user, project)
    result = submit_judgment(
        db,
        user,
        got.assignment_id,
        vote(got, active_seconds=9999),
        idempotency_key="a",
        now=T0 + timedelta(seconds=30),
    )
    assert db.get_one(Judgment, result.judgment_id).active_seconds == 30.0


def test_a_retried_submit_is_replayed_not_counted_twice(db: Session) -> None:
    project = make_project(db)
    (item,) = make_items(db, project, 1)
    user = make_user(db, project)
    got = lease(db, user, project)
    first = submit_judgment(db, user, got.assignment_id, vote(got), idempotency_key="same", now=T0)
    again = submit_judgment(db, user, got.assignment_id, vote(got), idempotency_key="same", now=T0)
    assert again.replayed and again.judgment_id == first.judgment_id
    assert (again.counted, again.message) == (first.counted, first.message)
    assert db.get_one(Item, item.id).counted == 1
    rows = db.scalar(select(func.count()).where(Judgment.user_id == user.id))
    assert rows == 1
    with pytest.raises(Conflict):
        submit_judgment(db, user, got.assignment_id, vote(got), idempotency_key="other", now=T0)


def test_someone_elses_assignment_is_not_found(db: Session) -> None:
    project = make_project(db)
    make_items(db, project, 1)
    owner, other = make_user(db, project), make_user(db, project)
    got = lease(db, owner, project)
    with pytest.raises(NotFound):
        submit_judgment(db, other, got.assignment_id, vote(got), idempotency_key="x", now=T0)


def test_late_submit_counts_when_the_item_still_needs_it(db: Session) -> None:
    project = make_project(db, overlap=2)
    (item,) = make_items(db, project, 1)
    user = make_user(db, project)
    got = lease(db, user, project)
    expire_leases(db, now=T0 + timedelta(minutes=21))
    result = submit_judgment(
        db, user, got.assignment_id, vote(got), idempotency_key="a", now=T0 + timedelta(minutes=25)
    )
    assert result.counted and result.late and "expired" in result.message
    assert db.get_one(Item, item.id).counted == 1


def test_late_submit_is_kept_uncounted_when_others_completed_the_item(db: Session) -> None:
    project = make_project(db, overlap=1)
    (item,) = make_items(db, project, 1)
    slow, quick = make_user(db, project), make_user(db, project)
    stale = lease(db, slow, project)
    fresh = lease(db, quick, project, at=T0 + timedelta(minutes=21))
    submit_judgment(
        db,
        quick,
        fresh.assignment_id,
        vote(fresh),
        idempotency_key="q",
        now=T0 + timedelta(minutes=22),
    )
    result = submit_judgment(
        db,
        slow,
        stale.assignment_id,
        vote(stale, active_seconds=600),
        idempotency_key="s",
        now=T0 + timedelta(minutes=23),
    )
    assert result.late and not result.counted and "does not count" in result.message
    late_row = db.get_one(Judgment, result.judgment_id)
    assert late_row.late and not late_row.counted
    assert db.get_one(Item, item.id).counted == 1 == counted_rows(db, item.id)
    kinds = db.scalars(select(WorkEvent.kind).where(WorkEvent.user_id == slow.id)).all()
    assert sorted(kinds) == ["late_submit", "lease"]


def test_late_submit_does_not_take_a_live_lease_holders_place(db: Session) -> None:
    project = make_project(db, overlap=1)
    (item,) = make_items(db, project, 1)
    slow, holder = make_user(db, project), make_user(db, project)
    stale = lease(db, slow, project)
    live = lease(db, holder, project, at=T0 + timedelta(minutes=21))
    late = submit_judgment(
        db,
        slow,
        stale.assignment_id,
        vote(stale),
        idempotency_key="s",
        now=T0 + timedelta(minutes=22),
    )
    on_time = submit_judgment(
        db,
        holder,
        live.assignment_id,
        vote(live),
        idempotency_key="h",
        now=T0 + timedelta(minutes=23),
    )
    assert (late.counted, on_time.counted) == (False, True)
    assert db.get_one(Item, item.id).counted == 1


def test_validation_names_each_bad_field_and_stores_nothing(db: Session) -> None:
    project = make_project(db)
    add_versions(db, project, CRITERIA)
    make_items(db, project, 1)
    user = make_user(db, project)
    got = lease(db, user, project)
    a, b = got.display_order
    bad = JudgmentIn.model_validate(
        {
            "ranking": [a, a],
            "strength": 3,
            "ratings": {str(a): {"correctness": 9, "vibes": 1}, "999": {}},
            "error_spans": [
                {
                    "candidate_id": b,
                    "line_start": 3,
                    "line_end": 40,
                    "category": "oops",
                    "severity": "major",
                }
            ],
        }
    )
    with pytest.raises(InvalidInput) as caught:
        submit_judgment(db, user, got.assignment_id, bad, idempotency_key="a", now=T0)
    fields = [p.split(":")[0] for p in caught.value.problems]
    assert fields == [
        "ranking",
        "strength",
        f"ratings.{a}.correctness",
        f"ratings.{a}.vibes",
        "ratings.999",
        "error_spans[0].category",
        "error_spans[0].line_end",
    ]
    assert db.scalar(select(func.count()).where(Judgment.user_id == user.id)) == 0
    assert db.get_one(Assignment, got.assignment_id).state == "active"


def test_a_skip_is_stored_never_counted_and_leaves_the_item_open(db: Session) -> None:
    project = make_project(db, overlap=1)
    (item,) = make_items(db, project, 1)
    skipper, other = make_user(db, project), make_user(db, project)
    got = lease(db, skipper, project)
    skip = JudgmentIn(skip_reason="unclear_prompt", rationale="Which Python version?")
    result = submit_judgment(db, skipper, got.assignment_id, skip, idempotency_key="s", now=T0)
    assert result.skipped and not result.counted
    row = db.get_one(Judgment, result.judgment_id)
    assert (row.ranking, row.counted, row.skip_reason) == (None, False, "unclear_prompt")
    assert db.get_one(Assignment, got.assignment_id).state == "skipped"
    assert db.get_one(Item, item.id).counted == 0
    taken = lease(db, other, project)
    assert taken.item_id == item.id
    with pytest.raises(InvalidInput, match="skip_reason"):
        bored = JudgmentIn(skip_reason="bored")
        submit_judgment(db, other, taken.assignment_id, bored, idempotency_key="t", now=T0)


def test_a_revision_supersedes_and_takes_over_the_count(db: Session) -> None:
    project = make_project(db)
    (item,) = make_items(db, project, 1)
    user = make_user(db, project)
    got = lease(db, user, project)
    first = submit_judgment(db, user, got.assignment_id, vote(got), idempotency_key="a", now=T0)
    payload = JudgmentIn(ranking=got.display_order, strength=0, rationale="On reflection, a tie.")
    revised = revise_judgment(
        db, user, first.judgment_id, payload, idempotency_key="b", now=T0 + timedelta(hours=1)
    )
    old, new = db.get_one(Judgment, first.judgment_id), db.get_one(Judgment, revised.judgment_id)
    assert (old.superseded, old.counted) == (True, False)
    assert (new.supersedes_id, new.counted, new.strength) == (old.id, True, 0)
    assert new.shown_order == old.shown_order
    assert db.get_one(Item, item.id).counted == 1 == counted_rows(db, item.id)
    replay = revise_judgment(db, user, first.judgment_id, payload, idempotency_key="b")
    assert replay.replayed and replay.judgment_id == new.id
    with pytest.raises(Conflict):
        revise_judgment(db, user, first.judgment_id, payload, idempotency_key="c")


def test_gold_items_take_every_annotator_once(db: Session) -> None:
    project = make_project(db, overlap=1, gold_rate=1.0)
    make_items(db, project, 1)
    (gold,) = make_items(db, project, 1, is_gold=True)
    results = []
    for _ in range(3):
        user = make_user(db, project)
        got = lease(db, user, project)
        assert got.item_id == gold.id
        results.append(
            submit_judgment(db, user, got.assignment_id, vote(got), idempotency_key="g", now=T0)
        )
    assert all(r.counted for r in results)
    assert db.get_one(Item, gold.id).counted == 3
