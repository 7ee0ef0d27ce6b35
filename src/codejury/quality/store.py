"""Database glue for quality control: load long-format records of a project, compute, store flags.

What counts:

- **Votes and ratings**: human judgments on work items that are counted, not superseded, not
  rejected and not skips. Model judges never mix into human consensus.
- **Gold results**: every human, non-superseded, non-skip judgment on a gold work item, scored
  against the gold answer (``is_correct``: the label of every candidate pair matches; the strength
  is not scored). A judgment with an open contest is left out until it is ruled on. When a contest
  on an item was overturned, judgments made before that ruling are left out for everyone; later
  ones are scored against the corrected answer. An item that was un-golded has no gold results.

``project_quality`` returns the full report; ``item_consensus`` the consensus per item, for exports
and leaderboards; ``refresh_flags`` stores new anomaly flags (one open flag per judge and kind).
A flag opens a review and changes neither pay nor access.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from codejury.db.base import utcnow
from codejury.db.models import (
    Appeal,
    Candidate,
    Flag,
    GoldContest,
    Item,
    Judgment,
    Project,
    Review,
    User,
)
from codejury.quality.gold import ContestStatus, GoldResult
from codejury.quality.report import (
    ItemConsensus,
    QualityData,
    QualityReport,
    build_report,
    by_item,
    find_flags,
    fit_consensus,
)
from codejury.quality.votes import (
    Key,
    PreferenceVote,
    RubricRating,
    gold_labels,
    ratings_from_judgment,
    votes_from_judgment,
)


def is_correct(
    gold_answer: Mapping[str, Any], judgment: Judgment, candidate_ids: Sequence[int]
) -> bool:
    """Whether a judgment gives the gold label on every candidate pair (skips are never correct)."""
    if judgment.ranking is None:
        return False
    expected = gold_labels(gold_answer, [int(c) for c in candidate_ids])
    votes = votes_from_judgment(
        judgment.item_id,
        judgment.user_id or 0,
        judgment.ranking,
        judgment.strength,
        judgment.shown_order,
    )
    given = {(v.first, v.second): v.label for v in votes}
    return given == expected


def _counted_judgments(session: Session, project: Project) -> list[tuple[Judgment, Item]]:
    stmt = (
        select(Judgment, Item)
        .join(Item, Item.id == Judgment.item_id)
        .where(
            Judgment.project_id == project.id,
            Judgment.judge_kind == "human",
            Judgment.counted.is_(True),
            Judgment.superseded.is_(False),
            Judgment.status != "rejected",
            Judgment.ranking.is_not(None),
            Item.purpose == "work",
        )
        .order_by(Judgment.created_at, Judgment.id)
    )
    return [(j, i) for j, i in session.execute(stmt).tuples()]


def load_data(session: Session, project: Project) -> QualityData:
    """The project's votes, ratings, gold results and candidate lengths."""
    votes: list[PreferenceVote] = []
    ratings: list[RubricRating] = []
    voted_at: dict[tuple[Key, Key], datetime] = {}
    candidate_ids: set[int] = set()
    for judgment, item in _counted_judgments(session, project):
        worker = judgment.user_id or 0
        seconds = judgment.active_seconds
        votes.extend(
            votes_from_judgment(
                item.id,
                worker,
                judgment.ranking,
                judgment.strength,
                judgment.shown_order,
                seconds=seconds,
            )
        )
        ratings.extend(ratings_from_judgment(item.id, worker, judgment.ratings or {}))
        voted_at[(item.id, worker)] = judgment.created_at
        candidate_ids.update(int(c) for c in item.candidate_ids)
    lengths = {}
    if candidate_ids:
        rows = session.execute(
            select(Candidate.id, func.length(Candidate.content)).where(
                Candidate.id.in_(sorted(candidate_ids))
            )
        )
        lengths = {int(cid): int(n or 0) for cid, n in rows}
    return QualityData(votes, ratings, gold_results(session, project), lengths, voted_at)


def _contests(session: Session, project: Project) -> tuple[dict[int, str], dict[int, datetime]]:
    """Contest status per judgment (latest contest wins) and, per item, when its gold answer was
    last overturned."""
    stmt = (
        select(GoldContest, Judgment.item_id)
        .join(Judgment, Judgment.id == GoldContest.judgment_id)
        .where(Judgment.project_id == project.id)
        .order_by(GoldContest.id)
    )
    status: dict[int, str] = {}
    overturned: dict[int, datetime] = {}
    for contest, item_id in session.execute(stmt).tuples():
        status[contest.judgment_id] = contest.status
        if contest.status == "overturned" and contest.decided_at is not None:
            overturned[item_id] = max(
                overturned.get(item_id, contest.decided_at), contest.decided_at
            )
    return status, overturned


def gold_results(
    session: Session, project: Project, user_id: int | None = None
) -> list[GoldResult]:
    """Scored gold judgments of the project (one user's with ``user_id``), oldest first."""
    stmt = (
        select(Judgment, Item)
        .join(Item, Item.id == Judgment.item_id)
        .where(
            Judgment.project_id == project.id,
            Judgment.judge_kind == "human",
            Judgment.superseded.is_(False),
            Judgment.skip_reason.is_(None),  # a skip answers nothing (its ranking is JSON null)
            Item.purpose == "work",
            Item.is_gold.is_(True),
            Item.gold_answer.is_not(None),
        )
        .order_by(Judgment.created_at, Judgment.id)
    )
    if user_id is not None:
        stmt = stmt.where(Judgment.user_id == user_id)
    status, overturned = _contests(session, project)
    results = []
    for judgment, item in session.execute(stmt).tuples():
        assert item.gold_answer is not None
        contest: ContestStatus | None = None
        ruled = overturned.get(item.id)
        if ruled is not None and aware(judgment.created_at) <= aware(ruled):
            contest = "overturned"
        elif status.get(judgment.id) in ("open", "upheld"):
            contest = "open" if status[judgment.id] == "open" else "upheld"
        correct = is_correct(item.gold_answer, judgment, item.candidate_ids)
        results.append(
            GoldResult(judgment.user_id or 0, item.id, correct, aware(judgment.created_at), contest)
        )
    return results


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; stored times are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _names(session: Session, ids: set[int]) -> dict[Any, str]:
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.name).where(User.id.in_(sorted(ids))))
    return {user_id: name for user_id, name in rows.tuples()}


def project_quality(
    session: Session, project: Project, now: datetime | None = None
) -> QualityReport:
    """The full quality report of a project (``docs/quality.md``)."""
    now = now or utcnow()
    data = load_data(session, project)
    workers = {int(v.worker) for v in data.votes} | {int(g.worker) for g in data.gold}
    report = build_report(data, _names(session, workers))
    open_appeals = list(
        session.scalars(
            select(Appeal.deadline)
            .join(Review, Review.id == Appeal.review_id)
            .join(Judgment, Judgment.id == Review.judgment_id)
            .where(Appeal.status == "open", Judgment.project_id == project.id)
        )
    )
    overdue = sum(1 for deadline in open_appeals if aware(deadline) <= now)
    return dataclasses.replace(report, appeals_open=len(open_appeals), appeals_overdue=overdue)


def item_consensus(session: Session, project: Project) -> dict[int, ItemConsensus]:
    """Consensus per item of the project (human, counted, non-rejected judgments only)."""
    data = load_data(session, project)
    method, consensus, _ = fit_consensus(data.votes)
    return {int(k): v for k, v in by_item(consensus, method).items()}


def refresh_flags(session: Session, project: Project, now: datetime | None = None) -> list[Flag]:
    """Run every anomaly check and store the new flags; an open flag of the same kind for the same
    judge is not duplicated. Returns the rows added."""
    now = now or utcnow()
    data = load_data(session, project)
    method, consensus, _ = fit_consensus(data.votes)
    found = find_flags(data, consensus, method)
    open_rows = session.execute(
        select(Flag.user_id, Flag.kind).where(Flag.project_id == project.id, Flag.status == "open")
    ).tuples()
    existing = {(int(u), k) for u, k in open_rows}
    added = []
    for flag in found:
        key = (int(flag.worker), flag.kind)
        if key in existing:
            continue
        existing.add(key)
        row = Flag(
            project_id=project.id,
            user_id=int(flag.worker),
            kind=flag.kind,
            evidence=dict(flag.evidence),
            created_at=now,
        )
        session.add(row)
        added.append(row)
    session.commit()
    return added


def open_flags(session: Session, project: Project) -> list[Flag]:
    return list(
        session.scalars(
            select(Flag)
            .where(Flag.project_id == project.id, Flag.status == "open")
            .order_by(Flag.created_at, Flag.id)
        )
    )


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """A judgment waiting for a person's look, and why it is in the queue."""

    judgment_id: int
    user_id: int
    item_id: int
    created_at: datetime
    status: str
    reasons: tuple[str, ...]


def review_queue(session: Session, project: Project, limit: int = 200) -> list[QueueEntry]:
    """Pending judgments of annotators with open flags, and pending gold misses, oldest first."""
    flagged: dict[int, list[str]] = {}
    for flag in open_flags(session, project):
        flagged.setdefault(flag.user_id, []).append(f"flag: {flag.kind}")
    misses = {(int(g.worker), int(g.item)) for g in gold_results(session, project) if not g.correct}
    users = set(flagged) | {u for u, _ in misses}
    if not users:
        return []
    rows = session.scalars(
        select(Judgment)
        .where(
            Judgment.project_id == project.id,
            Judgment.user_id.in_(sorted(users)),
            Judgment.status == "pending",
            Judgment.superseded.is_(False),
            Judgment.judge_kind == "human",
        )
        .order_by(Judgment.created_at, Judgment.id)
    )
    entries = []
    for j in rows:
        user_id = j.user_id or 0
        reasons = list(flagged.get(user_id, []))
        if (user_id, j.item_id) in misses:
            reasons.append("gold miss")
        if reasons:
            entries.append(
                QueueEntry(j.id, user_id, j.item_id, j.created_at, j.status, tuple(reasons))
            )
    return entries[:limit]
