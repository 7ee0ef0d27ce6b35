"""Review and appeal: a person decides on flagged work, the annotator sees why and may appeal.

- ``review_judgment``: accept, reject or ask for rework. A rejection or rework needs a published
  reason code (``REASON_CODES``) and an explanation; a fraud code also needs the objective evidence
  ``codejury.pay.validate_rejection`` asks for. A rejected judgment leaves consensus and exports
  (``status="rejected"``); if it was counted it is un-counted and its item goes back to the pool.
- ``appeal``: once per review, by the judgment's author, against a rejection or rework; it is due
  within ``Settings.appeal_deadline_days`` (7).
- ``decide_appeal``: by a manager other than the reviewer. Granting restores the judgment
  (accepted, counted again if the item still has room).
- ``escalate_overdue``: open appeals past their deadline are marked escalated (a scheduled job).

Every step writes an audit event in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from codejury.accounts import audit, require_manager
from codejury.assign.judgments import revision_refusal
from codejury.config import get_settings
from codejury.db.base import utcnow
from codejury.db.models import Appeal, Item, Judgment, Project, Review, User
from codejury.errors import Conflict, Forbidden, InvalidInput, NotFound
from codejury.pay import FRAUD_CODES, validate_rejection

Decision = Literal["accept", "reject", "rework"]
DECISIONS: tuple[Decision, ...] = ("accept", "reject", "rework")


@dataclass(frozen=True, slots=True)
class ReasonCode:
    code: str
    description: str
    objective: bool  # rests on gold answers or execution facts, not on opinion
    evidence: tuple[str, ...] = ()  # evidence keys the code requires


REASON_CODES: dict[str, ReasonCode] = {
    r.code: r
    for r in (
        ReasonCode(
            "wrong_gold_answer", "Disagrees with the answer of a gold (known-answer) item.", True
        ),
        ReasonCode(
            "fails_execution_fact",
            "Contradicts an execution fact (e.g. prefers a candidate that fails its tests).",
            True,
        ),
        ReasonCode("ignored_guidelines", "Does not follow a named rule of the guidelines.", False),
        ReasonCode("low_effort_rationale", "The rationale does not explain the judgment.", False),
        ReasonCode(
            "fraud_failed_gold",
            "Fraud: repeated failed gold items.",
            True,
            ("gold_judgment_ids",),
        ),
        ReasonCode(
            "fraud_too_fast",
            "Fraud: too fast to have read the candidates.",
            True,
            ("active_seconds", "min_seconds"),
        ),
        ReasonCode("spam_duplicate", "Spam: duplicates other judgments.", True, ("duplicate_of",)),
    )
}
assert set(FRAUD_CODES) <= set(REASON_CODES)


def _project(session: Session, judgment: Judgment) -> Project:
    return session.get_one(Project, judgment.project_id)


def _check_review(
    decision: str, reason_code: str | None, explanation: str | None, evidence: Any
) -> None:
    problems = []
    if decision not in DECISIONS:
        problems.append(f"decision: must be one of {', '.join(DECISIONS)}")
    if decision in ("reject", "rework"):
        if not reason_code:
            problems.append("reason_code: required to reject or ask for rework")
        elif reason_code not in REASON_CODES:
            problems.append(f"reason_code: must be one of {', '.join(REASON_CODES)}")
        if not explanation or not explanation.strip():
            problems.append("explanation: required to reject or ask for rework")
    if evidence is not None and not isinstance(evidence, Mapping):
        problems.append("evidence: must be an object")
    if problems:
        raise InvalidInput("The review is not complete.", problems)
    if decision == "reject":
        validate_rejection(reason_code, evidence)


def uncount(session: Session, judgment: Judgment) -> None:
    """Take a counted judgment out of its item's count, so the item returns to the pool."""
    if not judgment.counted:
        return
    judgment.counted = False
    session.execute(
        update(Item)
        .where(Item.id == judgment.item_id, Item.counted > 0)
        .values(counted=Item.counted - 1)
    )


def recount(session: Session, judgment: Judgment) -> bool:
    """Count a restored judgment again when its item still has room; True when it counted."""
    item = session.get_one(Item, judgment.item_id, with_for_update=True)
    if judgment.counted or item.purpose != "work" or judgment.ranking is None:
        return judgment.counted
    other = session.scalar(
        select(Judgment.id).where(
            Judgment.item_id == item.id,
            Judgment.user_id == judgment.user_id,
            Judgment.counted.is_(True),
        )
    )
    if other is not None:
        return False
    stmt = update(Item).where(Item.id == item.id).values(counted=Item.counted + 1)
    if not item.is_gold:
        overlap = _project(session, judgment).overlap
        stmt = stmt.where(Item.counted < overlap)
    changed = session.execute(stmt).rowcount > 0  # type: ignore[attr-defined]
    judgment.counted = changed
    return changed


def _apply(session: Session, judgment: Judgment, decision: str, now: datetime) -> None:
    """Rejected work leaves consensus and frees its slot; rework leaves the status pending."""
    if decision == "reject":
        judgment.status = "rejected"
        uncount(session, judgment)
    elif decision == "accept":
        judgment.status = "accepted"
    judgment.status_at = now


def review_judgment(
    session: Session,
    reviewer: User,
    judgment: Judgment,
    decision: str,
    reason_code: str | None = None,
    explanation: str | None = None,
    evidence: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> Review:
    """Record a manager's decision on a judgment (module doc)."""
    now = now or utcnow()
    require_manager(session, reviewer, _project(session, judgment))
    if judgment.superseded:
        raise Conflict(f"Judgment {judgment.id} was revised; review the newest revision.")
    _check_review(decision, reason_code, explanation, evidence)
    before = {"status": judgment.status, "counted": judgment.counted}
    _apply(session, judgment, decision, now)
    review = Review(
        judgment_id=judgment.id,
        reviewer_id=reviewer.id,
        decision=decision,
        reason_code=reason_code or None,
        explanation=(explanation or "").strip() or None,
        evidence=dict(evidence) if evidence else None,
        created_at=now,
    )
    session.add(review)
    session.flush()
    after = {"status": judgment.status, "counted": judgment.counted, "review_id": review.id}
    after |= {"decision": decision, "reason_code": reason_code}
    audit(
        session,
        reviewer,
        f"review.{decision}",
        "judgment",
        judgment.id,
        before,
        after,
        project_id=judgment.project_id,
    )
    session.commit()
    return review


def appeal(
    session: Session,
    annotator: User,
    review: Review,
    message: str,
    now: datetime | None = None,
    *,
    deadline_days: int | None = None,
) -> Appeal:
    """The author of a reviewed judgment appeals a rejection or rework, once per review."""
    now = now or utcnow()
    judgment = session.get_one(Judgment, review.judgment_id)
    if judgment.user_id != annotator.id:
        raise Forbidden("Only the author of a judgment may appeal its review.")
    if review.decision == "accept":
        raise Conflict("An accepted judgment has nothing to appeal.")
    if not message or not message.strip():
        raise InvalidInput("An appeal needs a message.", ["message: required"])
    if session.scalar(select(Appeal.id).where(Appeal.review_id == review.id)) is not None:
        raise Conflict("This review was already appealed; a review can be appealed once.")
    days = get_settings().appeal_deadline_days if deadline_days is None else deadline_days
    row = Appeal(
        review_id=review.id,
        user_id=annotator.id,
        message=message.strip(),
        deadline=now + timedelta(days=days),
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit(
        session,
        annotator,
        "appeal.open",
        "appeal",
        row.id,
        None,
        {"review_id": review.id, "deadline": row.deadline},
        project_id=judgment.project_id,
    )
    session.commit()
    return row


def decide_appeal(
    session: Session,
    manager: User,
    appeal_row: Appeal,
    grant: bool,
    note: str,
    now: datetime | None = None,
) -> Appeal:
    """A manager other than the reviewer grants or denies an open appeal."""
    now = now or utcnow()
    review = session.get_one(Review, appeal_row.review_id)
    judgment = session.get_one(Judgment, review.judgment_id)
    require_manager(session, manager, _project(session, judgment))
    if manager.id == review.reviewer_id:
        raise Forbidden("An appeal is decided by a manager other than the reviewer.")
    if appeal_row.status != "open":
        raise Conflict(f"This appeal is already {appeal_row.status}.")
    if not note or not note.strip():
        raise InvalidInput("A decision needs a note for the annotator.", ["note: required"])
    before = {"status": appeal_row.status, "judgment_status": judgment.status}
    appeal_row.status = "granted" if grant else "denied"
    appeal_row.decided_by, appeal_row.decided_at = manager.id, now
    appeal_row.decision_note = note.strip()
    if grant:
        judgment.status, judgment.status_at = "accepted", now
        recount(session, judgment)
    after = {
        "status": appeal_row.status,
        "judgment_status": judgment.status,
        "counted": judgment.counted,
    }
    audit(
        session,
        manager,
        f"appeal.{appeal_row.status}",
        "appeal",
        appeal_row.id,
        before,
        after,
        project_id=judgment.project_id,
    )
    session.commit()
    return appeal_row


def is_overdue(appeal_row: Appeal, now: datetime) -> bool:
    from codejury.quality.store import aware

    return appeal_row.status == "open" and aware(appeal_row.deadline) <= now


def escalate_overdue(session: Session, now: datetime | None = None) -> int:
    """Mark open appeals past their deadline as escalated; returns how many were marked."""
    now = now or utcnow()
    rows = session.execute(
        select(Appeal, Judgment.project_id)
        .join(Review, Review.id == Appeal.review_id)
        .join(Judgment, Judgment.id == Review.judgment_id)
        .where(Appeal.status == "open", Appeal.escalated_at.is_(None), Appeal.deadline <= now)
    ).tuples()
    count = 0
    for row, project_id in rows:
        row.escalated_at = now
        audit(
            session,
            None,
            "appeal.escalate",
            "appeal",
            row.id,
            None,
            {"deadline": row.deadline, "escalated_at": now},
            project_id=project_id,
        )
        count += 1
    session.commit()
    return count


def get_review(session: Session, review_id: int) -> Review:
    row = session.get(Review, review_id)
    if row is None:
        raise NotFound(f"no review {review_id}")
    return row


def get_appeal(session: Session, appeal_id: int) -> Appeal:
    row = session.get(Appeal, appeal_id)
    if row is None:
        raise NotFound(f"no appeal {appeal_id}")
    return row


# -- what people see: the annotator's reviews and the appeals list --


def review_view(review: Review, appeal_row: Appeal | None, now: datetime) -> dict[str, Any]:
    """A review as its annotator and the manager pages see it."""
    reason = REASON_CODES.get(review.reason_code or "")
    return {
        "id": review.id,
        "judgment_id": review.judgment_id,
        "decision": review.decision,
        "reason_code": review.reason_code,
        "reason": reason.description if reason else None,
        "explanation": review.explanation,
        "evidence": review.evidence,
        "created_at": review.created_at,
        "appeal": appeal_view(appeal_row, now) if appeal_row else None,
        "can_appeal": appeal_row is None and review.decision != "accept",
    }


def appeal_view(row: Appeal, now: datetime) -> dict[str, Any]:
    return {
        "id": row.id,
        "review_id": row.review_id,
        "user_id": row.user_id,
        "message": row.message,
        "status": row.status,
        "deadline": row.deadline,
        "overdue": is_overdue(row, now),
        "escalated_at": row.escalated_at,
        "decided_at": row.decided_at,
        "decision_note": row.decision_note,
    }


def revision_state(review: Review, judgment: Judgment, revision_id: int | None) -> dict[str, Any]:
    """Whether the annotator is asked to revise the judgment now (rework requested, the judgment
    still pending and revisable), and the judgment that revised it, if any."""
    asked = review.decision == "rework" and judgment.status == "pending"
    return {
        "revision_id": revision_id,
        "can_revise": asked and revision_refusal(judgment) is None,
    }


def reviews_of(
    session: Session, annotator: User, project: Project | None = None, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The annotator's reviews, newest first, with decision, reason, evidence, appeal state and
    revision state."""
    now = now or utcnow()
    revision = aliased(Judgment)
    stmt = (
        select(Review, Appeal, Judgment, revision.id)
        .join(Judgment, Judgment.id == Review.judgment_id)
        .outerjoin(Appeal, Appeal.review_id == Review.id)
        .outerjoin(revision, revision.supersedes_id == Judgment.id)
        .where(Judgment.user_id == annotator.id)
        .order_by(Review.id.desc())
    )
    if project is not None:
        stmt = stmt.where(Judgment.project_id == project.id)
    return [
        review_view(r, a, now) | revision_state(r, j, rev)
        for r, a, j, rev in session.execute(stmt).tuples()
    ]


def review_of(
    session: Session, judgment: Judgment, now: datetime | None = None
) -> dict[str, Any] | None:
    """The newest review of a judgment as its annotator sees it; None when it has none."""
    row = session.execute(
        select(Review, Appeal)
        .outerjoin(Appeal, Appeal.review_id == Review.id)
        .where(Review.judgment_id == judgment.id)
        .order_by(Review.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return review_view(row[0], row[1], now or utcnow())


def project_appeals(
    session: Session, project: Project, now: datetime | None = None, *, open_only: bool = False
) -> list[dict[str, Any]]:
    """A project's appeals, oldest deadline first, each with its review and ``overdue``."""
    now = now or utcnow()
    stmt = (
        select(Appeal, Review)
        .join(Review, Review.id == Appeal.review_id)
        .join(Judgment, Judgment.id == Review.judgment_id)
        .where(Judgment.project_id == project.id)
        .order_by(Appeal.deadline, Appeal.id)
    )
    if open_only:
        stmt = stmt.where(Appeal.status == "open")
    out = []
    for row, review in session.execute(stmt).tuples():
        view = appeal_view(row, now)
        view["review"] = review_view(review, None, now) | {"reviewer_id": review.reviewer_id}
        out.append(view)
    return out
