"""Practice and qualification.

- **Practice** items (``Item.purpose="practice"``, gold answers with a ``reason``) are judged through
  the ordinary loop (``next_item_for(..., purpose="practice")``); right after each,
  ``practice_feedback`` shows the gold answer and its reason. Never counted, never scored.
- **Qualification**: when ``Project.qualification_required``, real work waits for a passed attempt
  (the ``qualification`` eligibility filter in ``quality/filters.py``). ``start_attempt`` picks up
  to ``Project.qualification_size`` qualification items the annotator has not judged; they are
  judged with ``purpose="qualification"``; ``finish_attempt`` scores them against their gold
  answers: ``score`` = share correct, ``passed`` = score ≥ ``Project.pass_mark``, and
  ``details["results"]`` lists each item with the answer, the expected answer and, for each miss,
  the reason. At most ``Project.max_attempts`` attempts; an item is never shown twice, so retries
  need a pool larger than one attempt.

Time: each item's time is paid through its lease and submit events like any item; finishing also
records a ``qualification`` work event carrying the attempt's outcome and the active seconds the
client declares for time outside items (the qualification page's timer counts them while the attempt
is open), so nothing is paid twice. The declared seconds cannot exceed the server's window, the time
since the attempt started.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from codejury.accounts import audit, require_member
from codejury.assign import record_event
from codejury.db.base import utcnow
from codejury.db.models import Item, Judgment, Project, QualificationAttempt, User
from codejury.errors import Conflict, Forbidden, InvalidInput, NotFound
from codejury.quality.store import aware, is_correct

MAX_SECONDS = 12 * 3600


def attempts_of(session: Session, user_id: int, project_id: int) -> list[QualificationAttempt]:
    return list(
        session.scalars(
            select(QualificationAttempt)
            .where(
                QualificationAttempt.user_id == user_id,
                QualificationAttempt.project_id == project_id,
            )
            .order_by(QualificationAttempt.id)
        )
    )


def open_attempt(session: Session, user_id: int, project_id: int) -> QualificationAttempt | None:
    rows = [a for a in attempts_of(session, user_id, project_id) if a.finished_at is None]
    return rows[-1] if rows else None


def has_passed(session: Session, user_id: int, project_id: int) -> bool:
    return any(a.passed for a in attempts_of(session, user_id, project_id))


def attempts_left(session: Session, user_id: int, project: Project) -> int:
    used = sum(1 for a in attempts_of(session, user_id, project.id) if a.finished_at is not None)
    return max(0, project.max_attempts - used)


def _unseen_items(session: Session, user: User, project: Project) -> list[int]:
    judged = select(Judgment.item_id).where(Judgment.user_id == user.id)
    stmt = (
        select(Item.id)
        .where(
            Item.project_id == project.id,
            Item.purpose == "qualification",
            Item.gold_answer.is_not(None),
            Item.id.not_in(judged),
        )
        .order_by(Item.id)
        .limit(max(1, project.qualification_size))
    )
    return list(session.scalars(stmt))


def start_attempt(
    session: Session, user: User, project: Project, now: datetime | None = None
) -> QualificationAttempt:
    """A new attempt (or the open one, resumed) with the items to judge in ``details["items"]``."""
    now = now or utcnow()
    require_member(session, user, project)
    current = open_attempt(session, user.id, project.id)
    if current is not None:
        return current
    if has_passed(session, user.id, project.id):
        raise Conflict("You have already passed this project's qualification.")
    if attempts_left(session, user.id, project) == 0:
        raise Conflict(
            f"You have used all {project.max_attempts} qualification attempts; ask a manager."
        )
    items = _unseen_items(session, user, project)
    if not items:
        raise Conflict("No qualification items are left for you; ask a manager.")
    attempt = QualificationAttempt(
        project_id=project.id, user_id=user.id, started_at=now, details={"items": items}
    )
    session.add(attempt)
    session.flush()
    audit(
        session,
        user,
        "qualification.start",
        "qualification_attempt",
        attempt.id,
        None,
        {"items": items},
        project_id=project.id,
    )
    session.commit()
    return attempt


def _answer(judgment: Judgment | None) -> dict[str, Any] | None:
    if judgment is None:
        return None
    return {"ranking": judgment.ranking, "strength": judgment.strength}


def _latest_judgments(
    session: Session, user: User, attempt: QualificationAttempt, items: list[int]
) -> dict[int, Judgment]:
    rows = session.scalars(
        select(Judgment)
        .where(
            Judgment.user_id == user.id,
            Judgment.item_id.in_(items),
            Judgment.superseded.is_(False),
        )
        .order_by(Judgment.id)
    )
    started = aware(attempt.started_at)
    return {j.item_id: j for j in rows if aware(j.created_at) >= started}


def score_items(
    session: Session, user: User, attempt: QualificationAttempt
) -> list[dict[str, Any]]:
    """One result per item of the attempt: answer, expected, correct and the reason for a miss."""
    items = [int(i) for i in attempt.details.get("items", [])]
    judged = _latest_judgments(session, user, attempt, items)
    by_id = {i.id: i for i in session.scalars(select(Item).where(Item.id.in_(items)))}
    results = []
    for item_id in items:
        item, judgment = by_id[item_id], judged.get(item_id)
        gold = item.gold_answer or {}
        correct = judgment is not None and is_correct(gold, judgment, item.candidate_ids)
        reason = None
        if not correct:
            given = str(gold.get("reason") or "The gold answer differs from yours.")
            reason = given if judgment is not None else "Not answered. " + given
        results.append(
            {
                "item_id": item_id,
                "judgment_id": judgment.id if judgment else None,
                "answer": _answer(judgment),
                "expected": {"ranking": gold.get("ranking"), "strength": gold.get("strength")},
                "correct": correct,
                "reason": reason,
            }
        )
    return results


def finish_attempt(
    session: Session,
    user: User,
    attempt: QualificationAttempt,
    now: datetime | None = None,
    *,
    seconds: float = 0.0,
) -> QualificationAttempt:
    """Score the attempt, store the result and record a ``qualification`` work event with the
    ``seconds`` of active time the client declares (0: none reported)."""
    now = now or utcnow()
    if attempt.user_id != user.id:
        raise Forbidden("This is not your qualification attempt.")
    if attempt.finished_at is not None:
        raise Conflict("This attempt is already finished.")
    _check_seconds(seconds, (now - aware(attempt.started_at)).total_seconds())
    project = session.get_one(Project, attempt.project_id)
    results = score_items(session, user, attempt)
    correct = sum(1 for r in results if r["correct"])
    attempt.score = correct / len(results) if results else 0.0
    attempt.passed = attempt.score >= project.pass_mark
    attempt.finished_at = now
    attempt.details = {**attempt.details, "results": results}
    after = {
        "score": attempt.score,
        "passed": attempt.passed,
        "correct": correct,
        "n": len(results),
    }
    audit(
        session,
        user,
        "qualification.finish",
        "qualification_attempt",
        attempt.id,
        None,
        after,
        project_id=project.id,
    )
    meta = {"attempt_id": attempt.id, "passed": attempt.passed, "score": attempt.score}
    record_event(session, user, project, "qualification", seconds, meta, now=now)  # commits
    return attempt


def _check_seconds(seconds: float, window: float) -> None:
    """Declared active seconds are a number from 0 to the server's window (the time since the
    attempt started), and never more than the 12 hours any work event may last."""
    limit = max(0.0, min(window, MAX_SECONDS))
    if math.isfinite(seconds) and 0 <= seconds <= limit:
        return
    raise InvalidInput(
        "The active time sent with the attempt is not valid.",
        [
            f"active seconds: must be from 0 to {math.floor(limit)} (the seconds since this "
            f"attempt started), got {seconds:g}"
        ],
    )


def get_attempt(session: Session, attempt_id: int) -> QualificationAttempt:
    row = session.get(QualificationAttempt, attempt_id)
    if row is None:
        raise NotFound(f"no qualification attempt {attempt_id}")
    return row


def practice_feedback(session: Session, user: User, judgment: Judgment) -> dict[str, Any]:
    """Right after a practice item: the gold answer, its reason and whether the answer matched."""
    if judgment.user_id != user.id:
        raise Forbidden("You can see feedback on your own practice judgments only.")
    item = session.get_one(Item, judgment.item_id)
    if item.purpose != "practice":
        raise Conflict("Feedback is shown for practice items only.")
    gold = item.gold_answer or {}
    correct = bool(gold) and is_correct(gold, judgment, item.candidate_ids)
    return {
        "judgment_id": judgment.id,
        "item_id": item.id,
        "answer": _answer(judgment),
        "expected": {"ranking": gold.get("ranking"), "strength": gold.get("strength")},
        "correct": correct,
        "reason": gold.get("reason"),
    }


def qualified_count(session: Session, project: Project) -> int:
    return int(
        session.scalar(
            select(func.count(func.distinct(QualificationAttempt.user_id))).where(
                QualificationAttempt.project_id == project.id,
                QualificationAttempt.passed.is_(True),
            )
        )
        or 0
    )
