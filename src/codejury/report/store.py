"""Database glue for reports: load human pairwise outcomes between sources, build leaderboards and
weakness reports.

Judgments used are the ones quality control counts (``quality/store.py``): made by a person,
counted, not superseded, not rejected, not a skip, on a work item. Model judges never mix in. Each
judgment expands to pairwise votes (a k-way ranking gives all its pairs); a vote between two
candidates of the same source says nothing about sources and is left out. Synthetic candidates
(``Candidate.synthetic``, or source ``"mutant"``) are left out unless ``include_synthetic``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from codejury.candidates.pairing import FAILING
from codejury.db.models import Candidate, ErrorSpan, Item, Judgment, Project, Task
from codejury.errors import InvalidInput
from codejury.projects import get_project
from codejury.quality.votes import votes_from_judgment
from codejury.report.leaderboard import ALL, Leaderboard, SliceComparison, leaderboards
from codejury.report.weakness import ErrorMark, ModelVote, WeaknessReport, weakness_report

MUTANT = "mutant"
NO_VALUE = "(none)"
MAX_ROUNDS = 2000


@dataclass(frozen=True, slots=True)
class CandidateFacts:
    source: str
    synthetic: bool
    passed: bool | None  # None: not executed


@dataclass(frozen=True, slots=True)
class PairOutcome:
    """One human pairwise vote between candidates of two different sources."""

    item: int
    judgment: int
    task: Task
    winner: int
    loser: int
    tie: bool


def _passed(status: str | None) -> bool | None:
    if status == "passed":
        return True
    return False if status in FAILING else None


def _judgments(session: Session, project: Project) -> list[tuple[Judgment, Item, Task]]:
    stmt = (
        select(Judgment, Item, Task)
        .join(Item, Item.id == Judgment.item_id)
        .join(Task, Task.id == Item.task_id)
        .where(
            Judgment.project_id == project.id,
            Judgment.judge_kind == "human",
            Judgment.counted.is_(True),
            Judgment.superseded.is_(False),
            Judgment.status != "rejected",
            Item.purpose == "work",
        )
        .order_by(Judgment.id)
    )
    return [(j, i, t) for j, i, t in session.execute(stmt).tuples() if j.ranking]


def _facts(session: Session, ids: set[int]) -> dict[int, CandidateFacts]:
    if not ids:
        return {}
    rows = session.execute(
        select(Candidate.id, Candidate.source, Candidate.synthetic, Candidate.exec_status).where(
            Candidate.id.in_(sorted(ids))
        )
    ).tuples()
    return {
        cid: CandidateFacts(source, bool(synthetic) or source == MUTANT, _passed(status))
        for cid, source, synthetic, status in rows
    }


def load_outcomes(
    session: Session, project: Project, *, include_synthetic: bool = False
) -> tuple[list[PairOutcome], dict[int, CandidateFacts]]:
    """Every usable pairwise vote between two sources, and the facts of the candidates involved."""
    rows = _judgments(session, project)
    facts = _facts(session, {int(c) for _, item, _ in rows for c in item.candidate_ids})
    outcomes = []
    for judgment, item, task in rows:
        votes = votes_from_judgment(
            item.id,
            judgment.user_id or 0,
            judgment.ranking,
            judgment.strength,
            judgment.shown_order,
        )
        for v in votes:
            a, b = facts.get(v.first), facts.get(v.second)
            if a is None or b is None or a.source == b.source:
                continue
            if not include_synthetic and (a.synthetic or b.synthetic):
                continue
            winner, loser = (v.second, v.first) if v.label == "second" else (v.first, v.second)
            outcomes.append(
                PairOutcome(item.id, judgment.id, task, winner, loser, v.label == "tie")
            )
    return outcomes, facts


def _scalar_values(value: Any) -> list[str]:
    values = value if isinstance(value, list | tuple) else [value]
    return [str(v) for v in values if isinstance(v, str | int | float | bool)]


def slice_values(task: Task, by: str | None) -> list[str]:
    """The slices a task falls in when grouping ``by`` language, kind or a tag key."""
    if by is None:
        return [ALL]
    if by == "language":
        return [task.language]
    if by == "kind":
        return [task.kind]
    return _scalar_values((task.tags or {}).get(by)) or [NO_VALUE]


def task_slices(task: Task) -> tuple[str, ...]:
    """Every slice of a task for the weakness report: language, kind and each tag key=value."""
    names = [f"language={task.language}", f"kind={task.kind}"]
    for key, value in sorted((task.tags or {}).items()):
        names.extend(f"tag.{key}={v}" for v in _scalar_values(value))
    return tuple(names)


def _check_rounds(rounds: int) -> None:
    if not 0 <= rounds <= MAX_ROUNDS:
        raise InvalidInput(f"rounds must lie in 0..{MAX_ROUNDS}", [f"rounds: {rounds}"])


def project_leaderboards(
    session: Session,
    project: Project | str,
    *,
    by: str | None = None,
    rounds: int = 200,
    seed: int = 0,
    level: float = 0.95,
    include_synthetic: bool = False,
) -> list[Leaderboard]:
    """Source leaderboards of a project, one per slice of ``by`` (one ``"all"`` without it)."""
    _check_rounds(rounds)
    project = get_project(session, project) if isinstance(project, str) else project
    outcomes, facts = load_outcomes(session, project, include_synthetic=include_synthetic)
    comparisons = [
        SliceComparison(name, facts[o.winner].source, facts[o.loser].source, o.tie)
        for o in outcomes
        for name in slice_values(o.task, by or None)
    ]
    return leaderboards(comparisons, rounds=rounds, seed=seed, level=level)


def _model_votes(
    outcomes: list[PairOutcome], facts: dict[int, CandidateFacts], model: str
) -> Iterator[ModelVote]:
    for o in outcomes:
        for mine, theirs in ((o.winner, o.loser), (o.loser, o.winner)):
            if facts[mine].source != model:
                continue
            outcome = 0.5 if o.tie else (1.0 if mine == o.winner else 0.0)
            yield ModelVote(
                o.item,
                o.judgment,
                task_slices(o.task),
                mine,
                theirs,
                facts[theirs].source,
                outcome,
                facts[mine].passed,
                facts[theirs].passed,
            )


def _marks(session: Session, judgments: set[int], candidates: set[int]) -> list[ErrorMark]:
    if not judgments:
        return []
    rows = session.execute(
        select(
            ErrorSpan.judgment_id, ErrorSpan.candidate_id, ErrorSpan.category, ErrorSpan.severity
        )
        .where(ErrorSpan.judgment_id.in_(sorted(judgments)))
        .order_by(ErrorSpan.id)
    ).tuples()
    return [ErrorMark(j, c, cat, sev) for j, c, cat, sev in rows if c in candidates]


def _known_slices(session: Session, project: Project, model: str) -> set[str]:
    """Task slices of the project's tasks that have a candidate of ``model``, judged or not."""
    has_model = select(Candidate.task_id).where(Candidate.source == model)
    tasks = session.scalars(
        select(Task).where(Task.project_id == project.id, Task.id.in_(has_model))
    )
    return {name for task in tasks for name in task_slices(task)}


def model_weakness(
    session: Session,
    project: Project | str,
    model: str,
    *,
    budget: int = 500,
    min_judgments: int = 30,
    level: float = 0.95,
    include_synthetic: bool = False,
) -> WeaknessReport:
    """The weakness report of one source in a project, with the next-round plan."""
    project = get_project(session, project) if isinstance(project, str) else project
    outcomes, facts = load_outcomes(session, project, include_synthetic=include_synthetic)
    votes = list(_model_votes(outcomes, facts, model))
    known = _known_slices(session, project, model)
    if not votes and not known:
        raise InvalidInput(f"no candidates of model {model!r} in project {project.slug!r}")
    marks = _marks(session, {v.judgment for v in votes}, {v.candidate for v in votes})
    return weakness_report(
        model,
        votes,
        marks,
        known_slices=known,
        budget=budget,
        min_judgments=min_judgments,
        level=level,
    )


def model_sources(session: Session, project: Project) -> list[str]:
    """Non-synthetic candidate sources of a project, for choosing a model."""
    rows = session.scalars(
        select(Candidate.source)
        .join(Task, Task.id == Candidate.task_id)
        .where(Task.project_id == project.id, Candidate.synthetic.is_(False))
        .distinct()
    )
    return sorted(s for s in rows if s != MUTANT)
