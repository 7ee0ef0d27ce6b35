"""Gold contests: an annotator disputes the answer of a gold item they got "wrong".

- ``contest_gold``: on their own, scored-wrong judgment of a gold work item, with a message. While
  the contest is open the result is left out of their gold accuracy (and of the low-accuracy flag).
  One contest is open per judgment at a time; once it is ruled on, the judgment may be contested
  once more (with new reasons) while it still differs from the gold answer: ``MAX_CONTESTS`` in
  all, so that re-contesting cannot keep a result out of the accuracy for good.
  ``contest_refusal`` says why a judgment cannot be contested now; pages show it in place of the
  form, and ``contest_gold`` raises it.
- ``decide_contest``: a manager rules. **Upheld**: the gold answer stands and the result counts.
  **Overturned**: the gold answer was wrong; the manager gives the corrected answer or un-golds the
  item. Either way no judgment made before the ruling counts against anyone (other open contests
  on the same item are closed as overturned too); judgments after a correction are scored against
  the corrected answer.

Every step writes an audit event.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from codejury.accounts import audit, require_manager
from codejury.db.base import utcnow
from codejury.db.models import GoldContest, Item, Judgment, Project, User
from codejury.errors import Conflict, Forbidden, InvalidInput, NotFound
from codejury.quality.store import is_correct

MAX_CONTESTS = 2  # per judgment: the first contest and one more after its ruling


def _gold_item(session: Session, judgment: Judgment) -> Item:
    item = session.get_one(Item, judgment.item_id)
    if not item.is_gold or item.gold_answer is None or item.purpose != "work":
        raise Conflict("Only judgments on gold work items can be contested.")
    return item


def contest_refusal(
    session: Session, annotator: User, judgment: Judgment
) -> Forbidden | Conflict | None:
    """Why ``annotator`` may not contest ``judgment`` now, or None when they may."""
    if judgment.user_id != annotator.id:
        return Forbidden("You can contest only your own judgments.")
    item = session.get_one(Item, judgment.item_id)
    if not item.is_gold or item.gold_answer is None or item.purpose != "work":
        return Conflict("Only judgments on gold work items can be contested.")
    if judgment.superseded:
        return Conflict("This judgment was revised; contest the newest revision.")
    if judgment.ranking is None:
        return Conflict("A skipped item gives no answer to contest.")
    if is_correct(item.gold_answer, judgment, item.candidate_ids):
        return Conflict("This judgment matches the gold answer; there is nothing to contest.")
    taken = session.scalar(
        select(GoldContest.id).where(
            GoldContest.judgment_id == judgment.id, GoldContest.status == "open"
        )
    )
    if taken is not None:
        return Conflict(
            "This judgment already has an open contest; once it is ruled on, you may contest "
            "again with new reasons."
        )
    ruled = session.scalar(
        select(func.count(GoldContest.id)).where(GoldContest.judgment_id == judgment.id)
    )
    if (ruled or 0) >= MAX_CONTESTS:
        return Conflict(
            f"This answer has been contested {ruled} times and ruled on each time; the ruling "
            "stands. If something new comes to light, write to the project's contact."
        )
    return None


def contest_gold(
    session: Session,
    annotator: User,
    judgment: Judgment,
    message: str,
    now: datetime | None = None,
) -> GoldContest:
    """Dispute the gold answer behind a judgment scored wrong; again after each ruling, while it
    still differs from the gold answer (module doc)."""
    now = now or utcnow()
    refusal = contest_refusal(session, annotator, judgment)
    if refusal is not None:
        raise refusal
    if not message or not message.strip():
        raise InvalidInput("A contest needs a message.", ["message: say why the answer is wrong"])
    earlier = session.scalar(
        select(func.count(GoldContest.id)).where(GoldContest.judgment_id == judgment.id)
    )
    row = GoldContest(
        judgment_id=judgment.id, user_id=annotator.id, message=message.strip(), created_at=now
    )
    session.add(row)
    session.flush()
    audit(
        session,
        annotator,
        "gold.contest",
        "gold_contest",
        row.id,
        None,
        {
            "judgment_id": judgment.id,
            "item_id": judgment.item_id,
            "message": row.message,
            "earlier_contests": earlier or 0,
        },
        project_id=judgment.project_id,
    )
    session.commit()
    return row


def _check_ruling(
    upheld: bool, corrected: Mapping[str, Any] | None, ungold: bool, item: Item
) -> None:
    if upheld:
        if corrected is not None or ungold:
            raise InvalidInput("An upheld contest keeps the gold answer as it is.")
        return
    if (corrected is None) == (not ungold):
        raise InvalidInput(
            "Overturning needs either a corrected answer or un-golding the item.",
            ["corrected_answer: give one, or set ungold"],
        )
    if corrected is not None:
        ranking = corrected.get("ranking")
        ids = sorted(int(c) for c in item.candidate_ids)
        if ranking is not None and sorted(int(c) for c in ranking) != ids:
            raise InvalidInput(
                "The corrected ranking must list each of the item's candidates once.",
                [f"corrected_answer.ranking: candidates are {ids}"],
            )


def decide_contest(
    session: Session,
    manager: User,
    contest: GoldContest,
    *,
    upheld: bool,
    note: str,
    corrected_answer: Mapping[str, Any] | None = None,
    ungold: bool = False,
    now: datetime | None = None,
) -> GoldContest:
    """Rule on an open contest (module doc)."""
    now = now or utcnow()
    judgment = session.get_one(Judgment, contest.judgment_id)
    require_manager(session, manager, session.get_one(Project, judgment.project_id))
    if contest.status != "open":
        raise Conflict(f"This contest is already {contest.status}.")
    item = _gold_item(session, judgment)
    _check_ruling(upheld, corrected_answer, ungold, item)
    if not note or not note.strip():
        raise InvalidInput("A ruling needs a note for the annotator.", ["note: required"])
    status = "upheld" if upheld else "overturned"
    _close(session, manager, contest, status, note.strip(), now)
    if not upheld:
        for other in _open_on_item(session, item.id):
            _close(session, manager, other, "overturned", note.strip(), now)
        _correct_item(session, manager, item, corrected_answer, ungold)
    session.commit()
    return contest


def _open_on_item(session: Session, item_id: int) -> list[GoldContest]:
    return list(
        session.scalars(
            select(GoldContest)
            .join(Judgment, Judgment.id == GoldContest.judgment_id)
            .where(Judgment.item_id == item_id, GoldContest.status == "open")
        )
    )


def _close(
    session: Session, manager: User, contest: GoldContest, status: str, note: str, now: datetime
) -> None:
    judgment = session.get_one(Judgment, contest.judgment_id)
    contest.status, contest.decided_by, contest.decided_at = status, manager.id, now
    contest.decision_note = note
    audit(
        session,
        manager,
        f"gold.contest_{status}",
        "gold_contest",
        contest.id,
        {"status": "open"},
        {"status": status, "note": note},
        project_id=judgment.project_id,
    )


def _correct_item(
    session: Session,
    manager: User,
    item: Item,
    corrected: Mapping[str, Any] | None,
    ungold: bool,
) -> None:
    before = {"is_gold": item.is_gold, "gold_answer": item.gold_answer}
    if ungold:
        item.is_gold = False
    else:
        item.gold_answer = {**(item.gold_answer or {}), **dict(corrected or {})}
    after = {"is_gold": item.is_gold, "gold_answer": item.gold_answer}
    audit(session, manager, "item.gold_answer", "item", item.id, before, after, item.project_id)


def get_contest(session: Session, contest_id: int) -> GoldContest:
    row = session.get(GoldContest, contest_id)
    if row is None:
        raise NotFound(f"no gold contest {contest_id}")
    return row


def contests_of(
    session: Session, project: Project, status: str | None = "open"
) -> list[GoldContest]:
    stmt = (
        select(GoldContest)
        .join(Judgment, Judgment.id == GoldContest.judgment_id)
        .where(Judgment.project_id == project.id)
        .order_by(GoldContest.created_at, GoldContest.id)
    )
    if status is not None:
        stmt = stmt.where(GoldContest.status == status)
    return list(session.scalars(stmt))


# -- what the annotator sees: their missed gold answers and their contests --


def contest_view(row: GoldContest) -> dict[str, Any]:
    fields = ("id", "judgment_id", "user_id", "message", "status", "decided_by", "decided_at")
    return {f: getattr(row, f) for f in fields} | {
        "decision_note": row.decision_note,
        "created_at": row.created_at,
    }


def contests_by(session: Session, annotator: User) -> list[dict[str, Any]]:
    """Every contest the annotator raised, newest first."""
    rows = session.scalars(
        select(GoldContest)
        .where(GoldContest.user_id == annotator.id)
        .order_by(GoldContest.id.desc())
    )
    return [contest_view(c) for c in rows]


def gold_misses(session: Session, annotator: User, limit: int = 100) -> list[dict[str, Any]]:
    """The annotator's answers on gold work items that differ from the gold answer, newest first
    (among their latest ``limit`` gold judgments), each with its contests (oldest first) and either
    ``can_contest`` or the ``refusal`` that says why not."""
    rows = session.execute(
        select(Judgment, Item)
        .join(Item, Item.id == Judgment.item_id)
        .where(
            Judgment.user_id == annotator.id,
            Judgment.superseded.is_(False),
            Judgment.skip_reason.is_(None),
            Item.is_gold.is_(True),
            Item.purpose == "work",
            Item.gold_answer.is_not(None),
        )
        .order_by(Judgment.id.desc())
        .limit(limit)
    ).tuples()
    missed = [
        (j, i)
        for j, i in rows
        if j.ranking is not None and not is_correct(i.gold_answer or {}, j, i.candidate_ids)
    ]
    history: dict[int, list[dict[str, Any]]] = {j.id: [] for j, _ in missed}
    if missed:
        query = select(GoldContest).where(GoldContest.judgment_id.in_(list(history)))
        for contest in session.scalars(query.order_by(GoldContest.id)):
            history[contest.judgment_id].append(contest_view(contest))
    out = []
    for judgment, item in missed:
        refusal = contest_refusal(session, annotator, judgment)
        out.append(
            {
                "judgment_id": judgment.id,
                "item_id": item.id,
                "project_id": judgment.project_id,
                "ranking": judgment.ranking,
                "expected": (item.gold_answer or {}).get("ranking"),
                "reason": (item.gold_answer or {}).get("reason"),
                "contests": history[judgment.id],
                "can_contest": refusal is None,
                "refusal": None if refusal is None else str(refusal.args[0]),
            }
        )
    return out
