"""Judgment intake: submit (idempotent, late-aware) and revise.

An acknowledged judgment is never lost and a retried submit never counts twice: the first submit
with an idempotency key stores the row; a retry with the same key gets that stored result back
(``replayed``). Counting is one conditional ``UPDATE items SET counted = counted + 1 ... WHERE
counted + live leases of others < overlap``, so an item never takes more than ``overlap`` counted
judgments, and the partial unique index ``uq_judgments_counted_once`` keeps one counted
judgment per annotator per item.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from codejury.assign.eligibility import live_leases
from codejury.assign.leases import own_assignment
from codejury.assign.schemas import JudgmentIn, SubmitResult
from codejury.assign.validation import ItemView, validate_judgment
from codejury.db.base import utcnow
from codejury.db.models import (
    Assignment,
    Candidate,
    ErrorSpan,
    Item,
    Judgment,
    Project,
    RubricVersion,
    User,
    WorkEvent,
)
from codejury.errors import CodeJuryError, Conflict, InvalidInput, NotFound

logger = logging.getLogger(__name__)

MESSAGES = {
    "counted": "Saved. Thank you!",
    "late_counted": "Saved and counted, although your lease had expired.",
    "late": (
        "Saved, but your lease had expired and others completed this item meanwhile, so this "
        "judgment does not count toward it. Your time still counts as worked time."
    ),
    "full": "Saved, but this item already had all the judgments it needs; this one is not counted.",
    "uncounted": "Saved.",
    "skip": "Skipped. The item goes back to the pool for others.",
    "revised": "Your revision is saved and replaces your earlier judgment.",
}


def submit_judgment(
    session: Session,
    user: User,
    assignment_id: int,
    payload: JudgmentIn,
    *,
    idempotency_key: str,
    now: datetime | None = None,
) -> SubmitResult:
    """Store the annotator's judgment on a leased item; guarantees in the module docstring."""
    _check_key(idempotency_key)
    try:
        return _submit(session, user, assignment_id, payload, idempotency_key, now or utcnow())
    except CodeJuryError:
        session.rollback()  # end the transaction (and release row locks) before reporting
        raise


def _submit(
    session: Session,
    user: User,
    assignment_id: int,
    payload: JudgmentIn,
    idempotency_key: str,
    now: datetime,
) -> SubmitResult:
    # Lock the assignment first: two submits on one lease run one after the other, and a retry
    # finds the first one's judgment below.
    assignment = own_assignment(session, user, assignment_id, lock=True)
    replay = _replay(session, user, idempotency_key)
    if replay is not None:
        return replay
    if assignment.state not in ("active", "expired"):
        raise Conflict(f"Assignment {assignment_id} is already {assignment.state}.")
    item = session.get_one(Item, assignment.item_id)
    project = session.get_one(Project, assignment.project_id)
    view = _item_view(session, item, project, assignment.rubric_version, payload)
    validate_judgment(payload, view)
    try:
        result = _store_submit(
            session, user, assignment, item, project, payload, idempotency_key, now
        )
        session.commit()
    except IntegrityError:
        # A concurrent retry with the same key won the race: hand back what it stored.
        session.rollback()
        replay = _replay(session, user, idempotency_key)
        if replay is None:
            raise Conflict("This judgment clashes with one already stored for this item.")
        return replay
    return result


def _check_key(key: str) -> None:
    if not key or len(key) > 100:
        raise InvalidInput("Bad idempotency key.", ["idempotency_key: 1 to 100 characters"])


def _replay(session: Session, user: User, key: str) -> SubmitResult | None:
    judgment = session.scalars(
        select(Judgment).where(Judgment.user_id == user.id, Judgment.idempotency_key == key)
    ).first()
    if judgment is None:
        return None
    purpose = session.get_one(Item, judgment.item_id).purpose
    session.commit()
    return _result(judgment, purpose, replayed=True)


def _result(judgment: Judgment, purpose: str, *, replayed: bool) -> SubmitResult:
    skipped = judgment.skip_reason is not None
    if skipped:
        key = "skip"
    elif judgment.supersedes_id is not None:
        key = "revised"
    elif judgment.late:
        key = "late_counted" if judgment.counted else "late"
    elif judgment.counted:
        key = "counted"
    else:
        key = "full" if purpose == "work" else "uncounted"
    return SubmitResult(
        judgment_id=judgment.id,
        counted=judgment.counted,
        late=judgment.late,
        skipped=skipped,
        replayed=replayed,
        message=MESSAGES[key],
    )


def _item_view(
    session: Session,
    item: Item,
    project: Project,
    rubric_version: int | None,
    payload: JudgmentIn,
) -> ItemView:
    """What validating ``payload`` needs: contents only for error spans, criteria only for ratings."""
    ids = [int(c) for c in item.candidate_ids]
    contents: dict[int, str] = {}
    if payload.error_spans:
        query = select(Candidate.id, Candidate.content).where(Candidate.id.in_(ids))
        contents = {int(i): c for i, c in session.execute(query)}
    criteria: list[Any] = []
    if rubric_version is not None and payload.ratings:
        criteria = list(
            session.scalar(
                select(RubricVersion.criteria).where(
                    RubricVersion.project_id == project.id, RubricVersion.version == rubric_version
                )
            )
            or []
        )
    return ItemView(ids, project.mode, contents, criteria)


def _store_submit(
    session: Session,
    user: User,
    assignment: Assignment,
    item: Item,
    project: Project,
    payload: JudgmentIn,
    key: str,
    now: datetime,
) -> SubmitResult:
    skipped = payload.skip_reason is not None
    late = assignment.state == "expired" or now >= assignment.expires_at
    counted = False
    if not skipped and item.purpose == "work":
        counted = _take_slot(session, user, item, project, now)
    server = max(0.0, (now - assignment.leased_at).total_seconds())
    judgment = _new_judgment(payload, item, user, key, server)
    judgment.assignment_id = assignment.id
    judgment.shown_order = list(assignment.display_order)
    judgment.guideline_version = assignment.guideline_version
    judgment.rubric_version = assignment.rubric_version
    judgment.counted, judgment.late = counted, late and not skipped
    judgment.created_at = now
    session.add(judgment)
    session.flush()
    _add_spans(session, judgment, payload)
    assignment.state = "skipped" if skipped else "submitted"
    assignment.finished_at = now
    kind = "skip" if skipped else ("late_submit" if judgment.late and not counted else "submit")
    _work_event(session, judgment, kind, assignment.leased_at, now)
    return _result(judgment, item.purpose, replayed=False)


def _take_slot(session: Session, user: User, item: Item, project: Project, now: datetime) -> bool:
    """Count one more judgment on the item if it still needs one; False when it is full.

    The item row is locked first, so the statements below see every committed lease and submit on
    it (on PostgreSQL an UPDATE that waited for a lock would re-check only the row, not the count
    of leases, in its old snapshot).
    """
    if session.get_bind().dialect.name != "sqlite":  # SQLite's transaction holds the write lock
        session.execute(select(Item.id).where(Item.id == item.id).with_for_update())
    already = session.scalar(
        select(Judgment.id).where(
            Judgment.item_id == item.id, Judgment.user_id == user.id, Judgment.counted.is_(True)
        )
    )
    if already is not None:
        return False
    stmt = update(Item).where(Item.id == item.id).values(counted=Item.counted + 1)
    if not item.is_gold:
        others = live_leases(Item.id, now, exclude_user=user.id)
        stmt = stmt.where(Item.counted + others < project.overlap)
    stmt = stmt.returning(Item.counted).execution_options(synchronize_session=False)
    counted = session.execute(stmt).scalar_one_or_none()
    if counted is None:
        return False
    set_committed_value(item, "counted", counted)
    return True


def _new_judgment(payload: JudgmentIn, item: Item, user: User, key: str, server: float) -> Judgment:
    active = server if payload.active_seconds is None else payload.active_seconds
    return Judgment(
        item_id=item.id,
        project_id=item.project_id,
        user_id=user.id,
        judge_kind="human",
        ranking=payload.ranking,
        strength=payload.strength,
        ratings={str(k): dict(v) for k, v in payload.ratings.items()},
        rationale=payload.rationale,
        corrected_code=payload.corrected_code,
        skip_reason=payload.skip_reason,
        server_seconds=server,
        active_seconds=min(max(0.0, active), server),
        idempotency_key=key,
    )


def _add_spans(session: Session, judgment: Judgment, payload: JudgmentIn) -> None:
    for span in payload.error_spans:
        session.add(
            ErrorSpan(
                judgment_id=judgment.id,
                candidate_id=span.candidate_id,
                line_start=span.line_start,
                line_end=span.line_end,
                step=span.step,
                category=span.category,
                severity=span.severity,
                note=span.note,
            )
        )


def _work_event(
    session: Session, judgment: Judgment, kind: str, start: datetime, now: datetime
) -> None:
    session.add(
        WorkEvent(
            user_id=judgment.user_id,
            project_id=judgment.project_id,
            kind=kind,
            assignment_id=judgment.assignment_id,
            started_at=start,
            ended_at=now,
            seconds=judgment.active_seconds or 0.0,
            meta={"judgment_id": judgment.id, "item_id": judgment.item_id},
        )
    )


def revise_judgment(
    session: Session,
    user: User,
    judgment_id: int,
    payload: JudgmentIn,
    *,
    idempotency_key: str,
    now: datetime | None = None,
) -> SubmitResult:
    """A new judgment that supersedes the annotator's earlier one; the counted flag moves to it."""
    _check_key(idempotency_key)
    try:
        return _revise(session, user, judgment_id, payload, idempotency_key, now or utcnow())
    except CodeJuryError:
        session.rollback()
        raise


def _revise(
    session: Session,
    user: User,
    judgment_id: int,
    payload: JudgmentIn,
    idempotency_key: str,
    now: datetime,
) -> SubmitResult:
    replay = _replay(session, user, idempotency_key)
    if replay is not None:
        return replay
    old = own_judgment(session, user, judgment_id, lock=True)
    replay = _replay(session, user, idempotency_key)
    if replay is not None:
        return replay
    _check_revisable(old, payload)
    item = session.get_one(Item, old.item_id)
    project = session.get_one(Project, old.project_id)
    validate_judgment(payload, _item_view(session, item, project, old.rubric_version, payload))
    try:
        new = _store_revision(session, user, old, item, payload, idempotency_key, now)
        session.commit()
    except IntegrityError:
        session.rollback()
        replay = _replay(session, user, idempotency_key)
        if replay is None:
            raise Conflict(f"Judgment {judgment_id} was revised concurrently.")
        return replay
    return _result(new, item.purpose, replayed=False)


def own_judgment(session: Session, user: User, judgment_id: int, *, lock: bool = False) -> Judgment:
    """The user's judgment (row-locked when asked); someone else's reads as not found."""
    stmt = select(Judgment).where(Judgment.id == judgment_id, Judgment.user_id == user.id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    judgment = session.scalars(stmt).first()
    if judgment is None:
        raise NotFound(f"No judgment {judgment_id} of yours.")
    return judgment


def revision_refusal(judgment: Judgment) -> Conflict | None:
    """Why ``judgment`` cannot be revised (None when it can): only the newest version of an
    answer is revised, and a skip never is."""
    if judgment.superseded:
        return Conflict(
            f"Judgment {judgment.id} has already been revised; revise the latest version."
        )
    if judgment.skip_reason is not None:
        return Conflict("A skip cannot be revised; take the item again instead.")
    return None


def _check_revisable(old: Judgment, payload: JudgmentIn) -> None:
    refusal = revision_refusal(old)
    if refusal is not None:
        raise refusal
    if payload.skip_reason is not None:
        raise InvalidInput(
            "A revision cannot be a skip.", ["skip_reason: must be empty in a revision"]
        )


def _store_revision(
    session: Session,
    user: User,
    old: Judgment,
    item: Item,
    payload: JudgmentIn,
    key: str,
    now: datetime,
) -> Judgment:
    counted = old.counted
    old.superseded = True
    old.counted = False
    session.flush()  # free the (item, user) counted slot before the new row takes it
    new = _new_judgment(payload, item, user, key, server=0.0)
    new.active_seconds = max(0.0, payload.active_seconds or 0.0)
    new.server_seconds = None
    new.assignment_id = old.assignment_id
    new.shown_order = list(old.shown_order)
    new.guideline_version, new.rubric_version = old.guideline_version, old.rubric_version
    new.counted, new.late = counted, old.late
    new.supersedes_id = old.id
    new.created_at = now
    session.add(new)
    session.flush()
    _add_spans(session, new, payload)
    # Rework stands alone (its lease is long over): the timer's seconds, ending now.
    _work_event(session, new, "rework", now - timedelta(seconds=new.active_seconds or 0.0), now)
    return new
