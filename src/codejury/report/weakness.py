"""Where one model is weak, slice by slice, and how to spend the next round's budget; plain data.

Input: one ``ModelVote`` per pairwise human outcome between the model's candidate and another
source's candidate on one item (the model's side: ``outcome`` 1 win, 0.5 tie, 0 loss), each tagged
with the task slices it belongs to (``language=python``, ``kind=debugging``, ``tag.difficulty=hard``),
and one ``ErrorMark`` per error span a judge put on the model's candidate. A vote also belongs to the
slice ``error=<category>`` of every category its judge marked on the model's candidate.

Per slice: items, judgments, the win rate (ties half) with its Wilson interval, the execution pass
rate of the model's candidates, the human-vs-tests disagreements, and the most frequent error
categories and severities. The plan spreads ``budget`` new items over the task slices (not the error
slices: a new item cannot be picked by an error it has not had yet):

    weight(slice) = (1 − win rate) × (Wilson high − Wilson low)

A slice without judgments counts as win rate 0.5 and width 1. Each slice with fewer than
``min_judgments`` judgments first gets one item (exploration; the least-judged first when the budget
is smaller than their number), the rest goes in proportion to weight by largest remainder, so the
allocations sum to the budget exactly.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from codejury.errors import InvalidInput
from codejury.quality.intervals import wilson_interval

ERROR = "error"
CASES_SHOWN = 10


@dataclass(frozen=True, slots=True)
class ModelVote:
    """One pairwise outcome for the model on one item, from one judgment."""

    item: int
    judgment: int
    slices: tuple[str, ...]
    candidate: int
    other: int
    other_source: str
    outcome: float
    passed: bool | None = None  # the model's candidate passed its tests (None: not run)
    other_passed: bool | None = None


@dataclass(frozen=True, slots=True)
class ErrorMark:
    """An error span a judge marked on the model's candidate."""

    judgment: int
    candidate: int
    category: str
    severity: str


@dataclass(frozen=True)
class Disagreement:
    """Pairs where exactly one candidate passed its tests, and what people preferred there."""

    mixed: int = 0  # pairs with one passing and one failing candidate
    failing_preferred: int = 0  # people preferred the failing one
    model_failing_preferred: int = 0  # ... and the failing one was the model's
    other_failing_preferred: int = 0  # ... and the failing one was the other model's
    cases: list[dict[str, Any]] = field(default_factory=list)  # (item, judgment) to look at

    @property
    def rate(self) -> float | None:
        return self.failing_preferred / self.mixed if self.mixed else None


@dataclass(frozen=True)
class SliceReport:
    slice: str
    items: int
    judgments: int
    comparisons: int
    points: float
    win_rate: float | None
    low: float
    high: float
    passed: int
    executed: int
    disagreement: Disagreement
    errors: list[tuple[str, int]]
    severities: list[tuple[str, int]]

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.executed if self.executed else None

    @property
    def plannable(self) -> bool:
        return not self.slice.startswith(ERROR + "=")

    @property
    def weight(self) -> float:
        """(1 − win rate) × interval width; no data counts as 0.5 × 1."""
        rate = 0.5 if self.win_rate is None else self.win_rate
        return (1 - rate) * (self.high - self.low)


@dataclass(frozen=True)
class WeaknessReport:
    model: str
    overall: SliceReport
    slices: list[SliceReport]  # weakest (highest weight) first
    plan: dict[str, int]
    budget: int
    min_judgments: int
    level: float


def win_interval(points: float, n: int, level: float) -> tuple[float, float]:
    """Wilson interval of the win rate; ties count half, so points are rounded to a whole number
    (at most half a point off) for the interval."""
    return wilson_interval(math.floor(points + 0.5), n, level)


def slice_report(
    name: str, votes: Sequence[ModelVote], marks: Sequence[ErrorMark], level: float = 0.95
) -> SliceReport:
    """The figures of one slice from its votes and the error marks of those votes' judgments."""
    points = sum(v.outcome for v in votes)
    n = len(votes)
    low, high = win_interval(points, n, level)
    status = {v.candidate: v.passed for v in votes}
    keys = {(v.judgment, v.candidate) for v in votes}
    mine = [m for m in marks if (m.judgment, m.candidate) in keys]
    return SliceReport(
        slice=name,
        items=len({v.item for v in votes}),
        judgments=len({v.judgment for v in votes}),
        comparisons=n,
        points=points,
        win_rate=points / n if n else None,
        low=low,
        high=high,
        passed=sum(1 for s in status.values() if s),
        executed=sum(1 for s in status.values() if s is not None),
        disagreement=disagreement(votes),
        errors=Counter(m.category for m in mine).most_common(3),
        severities=Counter(m.severity for m in mine).most_common(3),
    )


def disagreement(votes: Iterable[ModelVote]) -> Disagreement:
    """Human preference against the tests: among pairs where exactly one candidate passed, how
    often people preferred the failing one (ties are neither)."""
    mixed = mine = theirs = 0
    cases: list[dict[str, Any]] = []
    for v in votes:
        if v.passed is None or v.other_passed is None or v.passed == v.other_passed:
            continue
        mixed += 1
        if v.outcome == 1.0 and not v.passed:
            mine += 1
        elif v.outcome == 0.0 and not v.other_passed:
            theirs += 1
        else:
            continue
        if len(cases) < CASES_SHOWN:
            cases.append({"item": v.item, "judgment": v.judgment, "model_failing": not v.passed})
    return Disagreement(mixed, mine + theirs, mine, theirs, cases)


def _slices_of(vote: ModelVote, categories: dict[tuple[int, int], set[str]]) -> set[str]:
    errors = categories.get((vote.judgment, vote.candidate), set())
    return set(vote.slices) | {f"{ERROR}={c}" for c in errors}


def weakness_report(
    model: str,
    votes: Sequence[ModelVote],
    marks: Sequence[ErrorMark] = (),
    *,
    known_slices: Iterable[str] = (),
    budget: int = 500,
    min_judgments: int = 30,
    level: float = 0.95,
) -> WeaknessReport:
    """Every slice the votes (or ``known_slices``, e.g. task slices not judged yet) name, weakest
    first, with the next-round plan."""
    if budget < 0 or min_judgments < 0:
        raise InvalidInput("budget and min_judgments must not be negative")
    categories: dict[tuple[int, int], set[str]] = {}
    for m in marks:
        categories.setdefault((m.judgment, m.candidate), set()).add(m.category)
    grouped: dict[str, list[ModelVote]] = {name: [] for name in known_slices}
    for v in votes:
        for name in _slices_of(v, categories):
            grouped.setdefault(name, []).append(v)
    reports = [slice_report(name, rows, marks, level) for name, rows in grouped.items()]
    reports.sort(key=lambda r: (-r.weight, r.slice))
    plannable = [r for r in reports if r.plannable]
    return WeaknessReport(
        model=model,
        overall=slice_report("all", votes, marks, level),
        slices=reports,
        plan=plan_budget(plannable, budget, min_judgments),
        budget=budget,
        min_judgments=min_judgments,
        level=level,
    )


def plan_budget(slices: Sequence[SliceReport], budget: int, min_judgments: int) -> dict[str, int]:
    """New items per slice: one for each under-judged slice, the rest by weight (largest
    remainder); sums to ``budget`` whenever there is a slice."""
    plan = {s.slice: 0 for s in slices}
    if not slices or budget <= 0:
        return plan
    explore = sorted((s for s in slices if s.judgments < min_judgments), key=_least_judged)
    for s in explore[:budget]:
        plan[s.slice] = 1
    left = budget - sum(plan.values())
    total = sum(s.weight for s in slices)
    weights = {s.slice: (s.weight / total if total > 0 else 1 / len(slices)) for s in slices}
    shares = {name: left * w for name, w in weights.items()}
    floors = {name: math.floor(share) for name, share in shares.items()}
    rest = left - sum(floors.values())
    by_remainder = sorted(shares, key=lambda name: (floors[name] - shares[name], name))
    for name in by_remainder[:rest]:
        floors[name] += 1
    return {name: plan[name] + floors[name] for name in plan}


def _least_judged(s: SliceReport) -> tuple[int, float, str]:
    return (s.judgments, -s.weight, s.slice)


def slice_dict(s: SliceReport) -> dict[str, Any]:
    d = s.disagreement
    return {
        "slice": s.slice,
        "items": s.items,
        "judgments": s.judgments,
        "comparisons": s.comparisons,
        "win_rate": s.win_rate,
        "low": s.low,
        "high": s.high,
        "pass_rate": s.pass_rate,
        "passed": s.passed,
        "executed": s.executed,
        "disagreement": {
            "mixed": d.mixed,
            "failing_preferred": d.failing_preferred,
            "model_failing_preferred": d.model_failing_preferred,
            "other_failing_preferred": d.other_failing_preferred,
            "rate": d.rate,
            "cases": d.cases,
        },
        "errors": [{"category": c, "count": n} for c, n in s.errors],
        "severities": [{"severity": c, "count": n} for c, n in s.severities],
        "weight": s.weight,
    }


def report_dict(report: WeaknessReport) -> dict[str, Any]:
    """The report as JSON-ready data (the CLI's ``--json`` and the API)."""
    return {
        "model": report.model,
        "level": report.level,
        "overall": slice_dict(report.overall),
        "slices": [slice_dict(s) for s in report.slices],
        "plan": {
            "budget": report.budget,
            "min_judgments": report.min_judgments,
            "items": report.plan,
        },
    }
