"""Read what an export needs from the database into the plain rows the formatters take.

A judgment is used when it was made by a person, is not superseded, not rejected, and is either
accepted or pending-and-counted, on a work item (not practice or qualification) of a task that
passes the filters. Gold items are left out unless asked for. Annotators appear only by pseudonym.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from codejury.db.models import Candidate, ErrorSpan, Item, Judgment, Project, Task, User
from codejury.errors import InvalidInput, NotFound
from codejury.export.consensus import CONSENSUS_METHODS, Consensus, pair_consensus
from codejury.export.preferences import PreferenceItem
from codejury.export.ratings import CandidateRatings
from codejury.export.spans import CandidateSpans, Span

if TYPE_CHECKING:
    from codejury.quality.votes import PreferenceVote


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


def _votes(used: Sequence[Used]) -> list[PreferenceVote]:
    """The pairwise votes of the judgments used, in candidate terms (``codejury.quality.votes``)."""
    from codejury.quality.votes import votes_from_judgment

    return [
        vote
        for u in used
        for vote in votes_from_judgment(
            u.item.id,
            u.pseudonym,
            u.judgment.ranking,
            u.judgment.strength,
            u.judgment.shown_order or u.judgment.ranking or (),
        )
    ]


@dataclass(frozen=True)
class PreferenceSelection:
    """What ``preference_items`` found: one ``PreferenceItem`` per decided candidate pair, the
    judgments behind them and the quality consensus method that decided them."""

    items: list[PreferenceItem]
    behind: list[Used]
    method: str


def preference_items(
    used: Sequence[Used],
    session: Session,
    method: str = "auto",
    min_confidence: float = 0.0,
) -> PreferenceSelection:
    """The consensus pairs of at least ``min_confidence`` (one ``PreferenceItem`` each, in item
    order), and the judgments of the items they come from.

    The consensus is the quality package's (``codejury.export.consensus.pair_consensus``), fitted
    over the pairwise votes of ``used`` only, so filtered-out judges never weigh in. ``method``:
    ``"auto"`` (Dawid–Skene when the data support it, else majority vote), ``"majority"`` or
    ``"dawid-skene"``.
    """
    if method not in CONSENSUS_METHODS:
        raise InvalidInput("unknown consensus method", [f"consensus: {method!r}"])
    by_item: dict[int, list[Used]] = defaultdict(list)
    for u in used:
        if u.judgment.ranking:
            by_item[u.item.id].append(u)
    fitted, pairs = pair_consensus(_votes([u for us in by_item.values() for u in us]), method)
    ids = {c for us in by_item.values() for c in us[0].item.candidate_ids}
    contents = _candidates(session, ids)
    items: list[PreferenceItem] = []
    behind: list[Used] = []
    for item_id, group in by_item.items():
        kept = [c for c in pairs.get(item_id, []) if c.confidence >= min_confidence]
        if kept:
            items.extend(_preference_item(group, c, contents) for c in kept)
            behind.extend(group)
    return PreferenceSelection(items, behind, fitted)


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
