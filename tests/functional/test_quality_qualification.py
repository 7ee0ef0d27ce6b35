"""Qualification gate, scoring with per-miss reasons, practice feedback and gold contests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from codejury.assign import JudgmentIn, Lease, NoWork, core_filters, next_item_for, submit_judgment
from codejury.assign.eligibility import EligibilityFilter
from codejury.db.models import AuditEvent, Item, Judgment, Project, User, WorkEvent
from codejury.errors import Conflict, Forbidden, InvalidInput
from codejury.quality.contests import contest_gold, decide_contest
from codejury.quality.filters import QualificationGate
from codejury.quality.qualification import finish_attempt, practice_feedback, start_attempt
from codejury.quality.store import gold_results, project_quality
from functional.test_quality_store import add_judgment
from support.builders import make_items, make_project, make_user

pytestmark = pytest.mark.db
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FILTERS: list[EligibilityFilter] = [*core_filters(), QualificationGate()]


def _gold(items: list[Item], reason: str = "the first one passes its tests") -> None:
    for item in items:
        a, b = (int(c) for c in item.candidate_ids)
        item.gold_answer = {"ranking": [a, b], "strength": 1, "reason": reason}


def _take(db: Session, user: User, project: Project, purpose: str, at: datetime) -> Lease:
    got = next_item_for(db, user, project, now=at, purpose=purpose, filters=FILTERS)
    assert isinstance(got, Lease), got
    return got


def _answer(db: Session, user: User, got: Lease, right: bool, at: datetime) -> int:
    ids = sorted(got.display_order)
    ranking = ids if right else ids[::-1]
    result = submit_judgment(
        db,
        user,
        got.assignment_id,
        JudgmentIn(ranking=ranking, strength=1),
        idempotency_key=f"q{got.assignment_id}",
        now=at,
    )
    return result.judgment_id


def _qualifying_project(db: Session) -> Project:
    project = make_project(db, qualification_required=True, qualification_size=3, pass_mark=0.8)
    _gold(make_items(db, project, 6, purpose="qualification", is_gold=True, commit=False))
    make_items(db, project, 2)
    return project


def test_gate_blocks_work_until_a_passed_attempt(db: Session) -> None:
    project = _qualifying_project(db)
    ann = make_user(db, project)
    blocked = next_item_for(db, ann, project, now=T0, filters=FILTERS)
    assert isinstance(blocked, NoWork) and blocked.code == "qualification"
    assert "qualification" in blocked.reason and "2 attempt(s) left" in blocked.reason

    first = start_attempt(db, ann, project, now=T0)
    assert len(first.details["items"]) == 3
    for n in range(3):
        got = _take(db, ann, project, "qualification", T0 + timedelta(minutes=n))
        assert got.item_id in first.details["items"]
        _answer(db, ann, got, right=n != 1, at=T0 + timedelta(minutes=n, seconds=40))
    finish_attempt(db, ann, first, now=T0 + timedelta(minutes=5), seconds=45)
    assert first.passed is False and first.score == pytest.approx(2 / 3)
    misses = [r for r in first.details["results"] if not r["correct"]]
    assert len(misses) == 1 and misses[0]["reason"] == "the first one passes its tests"
    assert misses[0]["expected"]["ranking"] != misses[0]["answer"]["ranking"]
    event = db.scalars(select(WorkEvent).where(WorkEvent.kind == "qualification")).one()
    assert event.user_id == ann.id and event.seconds == 45 and event.meta["attempt_id"] == first.id
    assert event.meta["passed"] is False
    assert isinstance(next_item_for(db, ann, project, now=T0, filters=FILTERS), NoWork)

    second = start_attempt(db, ann, project, now=T0 + timedelta(hours=1))
    assert set(second.details["items"]).isdisjoint(first.details["items"])
    for n in range(3):
        got = _take(db, ann, project, "qualification", T0 + timedelta(hours=1, minutes=n))
        _answer(db, ann, got, right=True, at=T0 + timedelta(hours=1, minutes=n, seconds=30))
    finish_attempt(db, ann, second, now=T0 + timedelta(hours=2))
    assert second.passed is True and second.score == 1.0
    assert isinstance(
        next_item_for(db, ann, project, now=T0 + timedelta(hours=2), filters=FILTERS), Lease
    )
    with pytest.raises(Conflict):
        start_attempt(db, ann, project, now=T0 + timedelta(hours=3))


def test_attempts_run_out_and_unanswered_items_are_misses(db: Session) -> None:
    project = _qualifying_project(db)
    project.max_attempts = 1
    ann = make_user(db, project)
    attempt = start_attempt(db, ann, project, now=T0)
    with pytest.raises(Forbidden):
        finish_attempt(db, make_user(db, project), attempt, now=T0)
    finish_attempt(db, ann, attempt, now=T0 + timedelta(minutes=1))
    assert attempt.score == 0 and all(
        r["reason"].startswith("Not answered.") for r in attempt.details["results"]
    )
    with pytest.raises(Conflict, match="used all 1"):
        start_attempt(db, ann, project, now=T0 + timedelta(minutes=2))
    blocked = next_item_for(db, ann, project, now=T0, filters=FILTERS)
    assert isinstance(blocked, NoWork) and "used all 1" in blocked.reason


def test_practice_feedback_shows_gold_answer_and_reason(db: Session) -> None:
    project = make_project(db)
    (item,) = make_items(db, project, 1, purpose="practice", is_gold=True, commit=False)
    _gold([item], "b crashes on empty input")
    ann = make_user(db, project)
    got = _take(db, ann, project, "practice", T0)
    judgment_id = _answer(db, ann, got, right=False, at=T0 + timedelta(seconds=20))
    feedback = practice_feedback(db, ann, db.get_one(Judgment, judgment_id))
    assert feedback["correct"] is False and feedback["reason"] == "b crashes on empty input"
    assert feedback["expected"]["ranking"] == sorted(item.candidate_ids)


def test_contested_gold_is_left_out_until_ruled(db: Session) -> None:
    project = make_project(db)
    manager = make_user(db, project, role="manager")
    ann, late = make_user(db, project), make_user(db, project)
    golds = make_items(db, project, 3, is_gold=True, commit=False)
    _gold(golds)
    wrong = [add_judgment(db, ann, g, sorted(g.candidate_ids)[::-1], 1) for g in golds[:2]]
    right = add_judgment(db, ann, golds[2], sorted(golds[2].candidate_ids), 1)
    db.commit()

    def accuracy() -> tuple[int, int, int]:
        (row,) = [g for g in project_quality(db, project).gold if g.worker == ann.id]
        return row.correct, row.n, row.excluded

    assert accuracy() == (1, 3, 0)
    with pytest.raises(Conflict):  # a correct judgment has nothing to contest
        contest_gold(db, ann, right, "a is wrong", now=T0)
    with pytest.raises(Forbidden):  # only one's own judgments
        contest_gold(db, late, wrong[0], "not mine", now=T0)
    first = contest_gold(db, ann, wrong[0], "b is right: a divides by zero", now=T0)
    second = contest_gold(db, ann, wrong[1], "b is the better one", now=T0)
    with pytest.raises(Conflict):
        contest_gold(db, ann, wrong[0], "again", now=T0)
    assert accuracy() == (1, 1, 2)

    decide_contest(db, manager, second, upheld=True, note="a is right", now=T0)
    assert accuracy() == (1, 2, 1)
    with pytest.raises(InvalidInput):
        decide_contest(db, manager, first, upheld=False, note="yes", now=T0)
    flipped = {"ranking": sorted(golds[0].candidate_ids)[::-1], "strength": 1}
    decide_contest(
        db,
        manager,
        first,
        upheld=False,
        note="b is right",
        corrected_answer=flipped,
        now=T0 + timedelta(hours=1),
    )
    assert accuracy() == (1, 2, 1) and first.status == "overturned"
    # after the correction, a new judgment is scored against the corrected answer
    add_judgment(db, late, golds[0], flipped["ranking"], 1, at=T0 + timedelta(hours=2))
    db.commit()
    late_results = gold_results(db, project, user_id=late.id)
    assert [(r.correct, r.contest) for r in late_results] == [(True, None)]
    actions = list(db.scalars(select(AuditEvent.action).where(AuditEvent.project_id == project.id)))
    assert actions.count("gold.contest") == 2
    assert {"gold.contest_upheld", "gold.contest_overturned", "item.gold_answer"} <= set(actions)
