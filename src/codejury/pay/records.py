"""Reading pay's plain inputs from the tables: rate history, work events, judgments, paid keys.

How stored rows become plain data:

- ``WorkEvent.seconds`` is the timer's active seconds (``codejury.pay.time.recorded_event``): an end
  event (submit, skip, late submit) always carries a report; for other kinds 0 means "no report".
- A judgment earns piece pay when it is on a ``work`` item, made by a person, not late, not a skip
  and not superseded; a revision shares the key of the judgment it revises.
- A rejection withholds time only when its latest ``reject`` review is a fraud code with valid
  evidence (``rejections.is_fraud_rejection``); a granted appeal on any of its reviews restores pay.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from codejury.db.models import (
    Appeal,
    Assignment,
    Item,
    Judgment,
    PayLine,
    PayRate,
    PayStatement,
    Project,
    Review,
    User,
    WorkEvent,
)
from codejury.errors import NotFound
from codejury.pay.ledger import JudgmentRecord
from codejury.pay.policy import BonusRule, PayPolicy
from codejury.pay.rejections import is_fraud_rejection
from codejury.pay.time import Event, recorded_event


def get_project(session: Session, ref: Project | int | str) -> Project:
    """A project given as itself, its id or its slug."""
    if isinstance(ref, Project):
        return ref
    if isinstance(ref, int):
        found = session.get(Project, ref)
    else:
        found = session.scalar(select(Project).where(Project.slug == ref))
    if found is None:
        raise NotFound(f"project {ref!r} does not exist")
    return found


def get_user(session: Session, ref: User | int | str) -> User:
    """A user given as itself, its id, its email or its pseudonym."""
    if isinstance(ref, User):
        return ref
    if isinstance(ref, int):
        found = session.get(User, ref)
    else:
        found = session.scalar(select(User).where((User.email == ref) | (User.pseudonym == ref)))
    if found is None:
        raise NotFound(f"user {ref!r} does not exist")
    return found


def to_policy(row: PayRate) -> PayPolicy:
    rule = BonusRule.from_dict(row.bonus_rule) if row.bonus_rule else None
    return PayPolicy(row.piece_rate, row.hourly_floor, row.currency, row.effective_from, rule)


def rate_rows(session: Session, project_id: int) -> list[PayRate]:
    query = select(PayRate).where(PayRate.project_id == project_id)
    return list(session.scalars(query.order_by(PayRate.effective_from, PayRate.id)))


def history(session: Session, project_id: int) -> list[PayPolicy]:
    return [to_policy(row) for row in rate_rows(session, project_id)]


def events_by_user(
    session: Session, project_id: int, user_id: int | None = None, since: datetime | None = None
) -> dict[int, list[Event]]:
    query = select(WorkEvent).where(WorkEvent.project_id == project_id)
    if user_id is not None:
        query = query.where(WorkEvent.user_id == user_id)
    if since is not None:
        query = query.where(WorkEvent.started_at >= since)
    grouped: dict[int, list[Event]] = defaultdict(list)
    for row in session.scalars(query.order_by(WorkEvent.id)):
        grouped[row.user_id].append(
            recorded_event(
                row.kind,
                row.started_at,
                row.ended_at,
                row.seconds,
                row.assignment_id,
                row.id,
                row.meta,
            )
        )
    return grouped


def _gold_correct(judgment: Judgment, item: Item) -> bool | None:
    """Whether a judgment on a gold item agrees with its answer (same winner, or both a tie)."""
    if not item.is_gold or not item.gold_answer:
        return None
    expected = item.gold_answer.get("ranking")
    if not expected:
        return judgment.strength == 0
    ranking = judgment.ranking or []
    return bool(ranking) and ranking[0] == expected[0] and judgment.strength != 0


def _root(judgment_id: int, supersedes: dict[int, int | None]) -> int:
    seen = {judgment_id}
    while (parent := supersedes.get(judgment_id)) is not None and parent not in seen:
        seen.add(parent)
        judgment_id = parent
    return judgment_id


def _reviews(session: Session, judgment_ids: Iterable[int]) -> dict[int, list[Review]]:
    ids = list(judgment_ids)
    grouped: dict[int, list[Review]] = defaultdict(list)
    if ids:
        query = select(Review).where(Review.judgment_id.in_(ids)).order_by(Review.id)
        for review in session.scalars(query):
            grouped[review.judgment_id].append(review)
    return grouped


def _granted(session: Session, review_ids: Iterable[int]) -> dict[int, Appeal]:
    ids = list(review_ids)
    if not ids:
        return {}
    query = select(Appeal).where(Appeal.review_id.in_(ids), Appeal.status == "granted")
    return {a.review_id: a for a in session.scalars(query)}


def records_by_user(
    session: Session, project_id: int, user_id: int | None = None
) -> dict[int, list[JudgmentRecord]]:
    query = (
        select(Judgment, Item, Assignment.leased_at)
        .join(Item, Item.id == Judgment.item_id)
        .outerjoin(Assignment, Assignment.id == Judgment.assignment_id)
        .where(Judgment.project_id == project_id, Judgment.judge_kind == "human")
        .where(Judgment.user_id.is_not(None))
    )
    if user_id is not None:
        query = query.where(Judgment.user_id == user_id)
    rows = list(session.execute(query.order_by(Judgment.id)).tuples())
    supersedes = {j.id: j.supersedes_id for j, _, _ in rows}
    reviews = _reviews(session, supersedes)
    appeals = _granted(session, [r.id for rs in reviews.values() for r in rs])
    grouped: dict[int, list[JudgmentRecord]] = defaultdict(list)
    for judgment, item, leased_at in rows:
        assert judgment.user_id is not None
        record = _record(judgment, item, leased_at, supersedes, reviews[judgment.id], appeals)
        grouped[judgment.user_id].append(record)
    return grouped


def _record(
    judgment: Judgment,
    item: Item,
    leased_at: datetime | None,
    supersedes: dict[int, int | None],
    reviews: list[Review],
    appeals: dict[int, Appeal],
) -> JudgmentRecord:
    rejections = [r for r in reviews if r.decision == "reject"]
    latest = rejections[-1] if rejections else None
    appeal = next((appeals[r.id] for r in reversed(rejections) if r.id in appeals), None)
    counts = (
        item.purpose == "work"
        and not judgment.late
        and judgment.skip_reason is None
        and not judgment.superseded
    )
    return JudgmentRecord(
        id=judgment.id,
        key=f"judgment:{_root(judgment.id, supersedes)}",
        leased_at=leased_at or judgment.created_at,
        submitted_at=judgment.created_at,
        status=judgment.status,
        status_at=judgment.status_at,
        assignment_id=judgment.assignment_id,
        counts=counts,
        fraud=latest is not None and is_fraud_rejection(latest.reason_code, latest.evidence),
        appeal_id=appeal.id if appeal else None,
        appeal_granted_at=(appeal.decided_at or appeal.created_at) if appeal else None,
        gold_correct=_gold_correct(judgment, item),
    )


def paid_keys_by_user(session: Session, project_id: int) -> dict[int, set[str]]:
    query = (
        select(PayStatement.user_id, PayLine.ref)
        .join(PayLine, PayLine.statement_id == PayStatement.id)
        .where(PayStatement.project_id == project_id)
    )
    keys: dict[int, set[str]] = defaultdict(set)
    for user_id, ref in session.execute(query):
        keys[user_id].update(_ref_keys(ref))
    return keys


def _ref_keys(ref: dict[str, Any] | None) -> list[str]:
    return [str(k) for k in (ref or {}).get("keys", [])]
