"""Read what an export needs from the database into the plain rows the formatters take.

A judgment is used when it was made by a person, is not superseded, not rejected, and is either
accepted or pending-and-counted, on a work item (not practice or qualification) of a task that
passes the filters. Gold items are left out unless asked for. Annotators appear only by pseudonym.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from codejury.db.models import Candidate, ErrorSpan, Item, Judgment, Project, Task, User
from codejury.errors import InvalidInput, NotFound
from codejury.export.consensus import Consensus, Vote, dawid_skene, majority_vote
from codejury.export.preferences import PreferenceItem
from codejury.export.ratings import CandidateRatings
from codejury.export.spans import CandidateSpans, Span

CONSENSUS_METHODS = ("majority", "dawid-skene")


@dataclass(frozen=True)
class ExportFilters:
    language: str | None = None
    kind: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    min_confidence: float = 0.0
    exclude_annotators: tuple[str, ...] = ()
    include_gold: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "kind": self.kind,
            "tags": dict(self.tags),
            "min_confidence": self.min_confidence,
            "exclude_annotators": list(self.exclude_annotators),
            "include_gold": self.include_gold,
        }


@dataclass(frozen=True)
class Used:
    """One usable judgment with its item, task and judge's pseudonym."""

    judgment: Judgment
    item: Item
    task: Task
    pseudonym: str


def project_by_slug(session: Session, slug: str) -> Project:
    project = session.scalar(select(Project).where(Project.slug == slug))
    if project is None:
        raise NotFound(f"no project with slug {slug!r}")
    return project


def _tags_match(tags: Mapping[str, Any], wanted: Mapping[str, str]) -> bool:
    for key, value in wanted.items():
        have = tags.get(key)
        values = have if isinstance(have, list | tuple) else [have]
        if value not in [str(v) for v in values]:
            return False
    return True


def usable_judgments(session: Session, project: Project, filters: ExportFilters) -> list[Used]:
    """Every judgment an export may use, oldest first."""
    query = (
        select(Judgment, Item, Task, User.pseudonym)
        .join(Item, Judgment.item_id == Item.id)
        .join(Task, Item.task_id == Task.id)
        .join(User, Judgment.user_id == User.id)
        .where(
            Judgment.project_id == project.id,
            Judgment.judge_kind == "human",
            Judgment.superseded.is_(False),
            or_(
                Judgment.status == "accepted",
                and_(Judgment.status == "pending", Judgment.counted.is_(True)),
            ),
            Item.purpose == "work",
        )
        .order_by(Judgment.id)
    )
    if not filters.include_gold:
        query = query.where(Item.is_gold.is_(False))
    if filters.language:
        query = query.where(Task.language == filters.language)
    if filters.kind:
        query = query.where(Task.kind == filters.kind)
    if filters.exclude_annotators:
        query = query.where(User.pseudonym.not_in(list(filters.exclude_annotators)))
    rows = session.execute(query).all()
    return [Used(j, i, t, p) for j, i, t, p in rows if _tags_match(t.tags or {}, filters.tags)]


def _candidates(session: Session, ids: set[int]) -> dict[int, Candidate]:
    if not ids:
        return {}
    found = session.scalars(select(Candidate).where(Candidate.id.in_(sorted(ids))))
    return {c.id: c for c in found}


def preference_items(
    used: Sequence[Used],
    session: Session,
    method: str = "majority",
    min_confidence: float = 0.0,
) -> tuple[list[PreferenceItem], list[Used]]:
    """Items with a consensus of at least ``min_confidence``, and the judgments behind them.

    ``method``: ``"majority"`` (plurality vote per item) or ``"dawid-skene"`` (judges weighted by
    their estimated reliability across the whole project).
    """
    if method not in CONSENSUS_METHODS:
        raise InvalidInput("unknown consensus method", [f"consensus: {method!r}"])
    by_item: dict[int, list[Used]] = defaultdict(list)
    for u in used:
        if u.judgment.ranking:
            by_item[u.item.id].append(u)
    votes = {
        item_id: [
            Vote(u.pseudonym, tuple(u.judgment.ranking or ()), u.judgment.strength) for u in us
        ]
        for item_id, us in by_item.items()
    }
    if method == "dawid-skene":
        consensus = dawid_skene(votes)
    else:
        consensus = {i: c for i, vs in votes.items() if (c := majority_vote(vs))}
    ids = {c for us in by_item.values() for c in us[0].item.candidate_ids}
    contents = _candidates(session, ids)
    items, behind = [], []
    for item_id, group in by_item.items():
        c = consensus.get(item_id)
        if c is None or c.tied or c.confidence < min_confidence:
            continue
        items.append(_preference_item(group, c, contents))
        behind.extend(group)
    return items, behind


def _preference_item(
    group: Sequence[Used], consensus: Consensus, contents: Mapping[int, Candidate]
) -> PreferenceItem:
    item, task = group[0].item, group[0].task
    return PreferenceItem(
        item_id=item.id,
        task_id=task.external_id,
        prompt=task.prompt,
        candidates={cid: contents[cid].content for cid in item.candidate_ids},
        consensus=consensus,
        language=task.language,
        kind=task.kind,
        tags=task.tags or {},
        annotators=tuple(u.pseudonym for u in group),
    )


def candidate_ratings(
    used: Sequence[Used], session: Session
) -> tuple[list[CandidateRatings], list[Used]]:
    """Ratings per candidate, and the judgments that gave any."""
    per: dict[int, list[tuple[Used, Mapping[str, float]]]] = defaultdict(list)
    behind = []
    for u in used:
        if u.judgment.ratings:
            behind.append(u)
        for key, values in (u.judgment.ratings or {}).items():
            per[int(key)].append((u, values))
    contents = _candidates(session, set(per))
    out = []
    for cid, given in sorted(per.items()):
        task, cand = given[0][0].task, contents[cid]
        out.append(
            CandidateRatings(
                candidate_id=cid,
                task_id=task.external_id,
                prompt=task.prompt,
                response=cand.content,
                ratings=[v for _, v in given],
                source=cand.source,
                language=task.language,
                kind=task.kind,
                tags=task.tags or {},
                annotators=tuple(u.pseudonym for u, _ in given),
            )
        )
    return out, behind


def candidate_spans(
    used: Sequence[Used], session: Session
) -> tuple[list[CandidateSpans], list[Used]]:
    """Error spans per judged candidate, and the judgments looked at."""
    judged: dict[int, list[Used]] = defaultdict(list)
    for u in used:
        for cid in u.item.candidate_ids:
            judged[int(cid)].append(u)
    spans: dict[int, list[Span]] = defaultdict(list)
    ids = [u.judgment.id for u in used]
    if ids:
        for s in session.scalars(select(ErrorSpan).where(ErrorSpan.judgment_id.in_(ids))):
            spans[s.candidate_id].append(
                Span(s.line_start, s.line_end, s.category, s.severity, s.note or "")
            )
    contents = _candidates(session, set(judged))
    out = []
    for cid, group in sorted(judged.items()):
        task, cand = group[0].task, contents[cid]
        out.append(
            CandidateSpans(
                candidate_id=cid,
                task_id=task.external_id,
                prompt=task.prompt,
                response=cand.content,
                spans=spans.get(cid, []),
                judgments=len(group),
                source=cand.source,
                language=task.language,
                kind=task.kind,
                tags=task.tags or {},
                annotators=tuple(u.pseudonym for u in group),
            )
        )
    return out, list(used)
