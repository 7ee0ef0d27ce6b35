"""One project's quality report, computed from plain records (no database).

``quality/store.py`` loads the records from stored rows; this module turns them into a
``QualityReport``: agreement (Krippendorff's alpha with sample sizes, overall and week by week),
consensus per candidate pair with its confidence, reliability per judge, gold accuracy with Wilson
intervals (overall and by week), aggregated rubric scores and anomaly flags with their evidence.

Consensus uses Dawid–Skene when there is enough data for its per-judge confusion matrices
(``MIN_DS_WORKERS`` judges and ``MIN_DS_UNITS`` pairs judged by two or more), and majority vote
otherwise; ``consensus_method`` says which.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any, Literal

from codejury.quality import anomalies
from codejury.quality.aggregation import (
    Consensus,
    DawidSkeneConsensus,
    MajorityVoteConsensus,
    Reliability,
    RubricScore,
    rubric_scores,
)
from codejury.quality.agreement import (
    AlphaResult,
    PairAgreement,
    pairwise_agreement,
    preference_alpha,
    rubric_alpha,
)
from codejury.quality.gold import GoldAccuracy, GoldResult, gold_accuracy, gold_accuracy_by_week
from codejury.quality.gold import week_start as _week_start
from codejury.quality.votes import Key, PreferenceVote, RubricRating

MIN_DS_WORKERS = 3
MIN_DS_UNITS = 10
Method = Literal["dawid_skene", "majority_vote", "none"]


@dataclass(frozen=True)
class QualityData:
    """The long-format records of one project, as the store loads them.

    ``voted_at[(item, worker)]`` is when that judgment was made (for weekly figures).
    ``lengths`` maps candidate id to its length in characters (for the length-bias check).
    """

    votes: list[PreferenceVote] = field(default_factory=list)
    ratings: list[RubricRating] = field(default_factory=list)
    gold: list[GoldResult] = field(default_factory=list)
    lengths: dict[int, int] = field(default_factory=dict)
    voted_at: dict[tuple[Key, Key], datetime] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ItemConsensus:
    """The consensus of one item: one ``Consensus`` per candidate pair.

    ``confidence`` is the lowest pair confidence (how sure the weakest link is).
    """

    item: Key
    pairs: tuple[Consensus, ...]
    method: Method
    confidence: float
    votes: int


@dataclass(frozen=True, slots=True)
class WeeklyAgreement:
    week: date
    nominal: AlphaResult
    ordinal: AlphaResult


@dataclass(frozen=True)
class QualityReport:
    preference_ordinal: AlphaResult
    preference_nominal: AlphaResult
    rubric: dict[str, AlphaResult]
    pairwise: list[PairAgreement]
    agreement_by_week: list[WeeklyAgreement]
    consensus_method: Method
    consensus: list[Consensus]
    reliability: list[Reliability]
    gold: list[GoldAccuracy]
    gold_by_week: list[GoldAccuracy]
    rubric_scores: list[RubricScore]
    flags: list[anomalies.Flag]
    judgments: int = 0
    judges: int = 0
    names: dict[Key, str] = field(default_factory=dict)
    appeals_open: int = 0
    appeals_overdue: int = 0


def fit_consensus(
    votes: Sequence[PreferenceVote],
) -> tuple[Method, list[Consensus], list[Reliability]]:
    """Dawid–Skene when the data support it, else majority vote; nothing without votes."""
    if not votes:
        return "none", [], []
    per_unit = Counter(v.unit for v in votes)
    shared = sum(1 for n in per_unit.values() if n >= 2)
    workers = {v.worker for v in votes}
    if len(workers) >= MIN_DS_WORKERS and shared >= MIN_DS_UNITS:
        ds = DawidSkeneConsensus().fit(votes)
        return "dawid_skene", ds.consensus_, ds.reliability_
    mv = MajorityVoteConsensus().fit(votes)
    return "majority_vote", mv.consensus_, mv.reliability_


def by_item(consensus: Sequence[Consensus], method: Method) -> dict[Key, ItemConsensus]:
    """Group pair consensus by item."""
    grouped: dict[Key, list[Consensus]] = defaultdict(list)
    for row in consensus:
        grouped[row.item].append(row)
    return {
        item: ItemConsensus(
            item,
            tuple(rows),
            method,
            min(r.confidence for r in rows),
            max(r.votes for r in rows),
        )
        for item, rows in grouped.items()
    }


def agreement_by_week(
    votes: Sequence[PreferenceVote], voted_at: Mapping[tuple[Key, Key], datetime]
) -> list[WeeklyAgreement]:
    """Alpha over the votes cast in each ISO week (a unit needs two votes in that week)."""
    weeks: dict[date, list[PreferenceVote]] = defaultdict(list)
    for vote in votes:
        moment = voted_at.get((vote.item, vote.worker))
        if moment is not None:
            weeks[_week_start(moment)].append(vote)
    return [
        WeeklyAgreement(
            week,
            preference_alpha(rows, level="nominal"),
            preference_alpha(rows, level="ordinal"),
        )
        for week, rows in sorted(weeks.items())
    ]


def find_flags(
    data: QualityData, consensus: Sequence[Consensus], method: Method
) -> list[anomalies.Flag]:
    """Every anomaly check over the project's records. The consensus check needs a real model
    of the judges (Dawid–Skene); with a bare majority it is skipped."""
    flags = [
        *anomalies.too_fast(data.votes),
        *anomalies.position_bias(data.votes),
        *anomalies.length_bias(data.votes, data.lengths),
        *anomalies.straight_lining(data.ratings),
        *anomalies.low_gold_accuracy(data.gold),
    ]
    if method == "dawid_skene":
        flags.extend(anomalies.consensus_disagreement(data.votes, consensus))
    return flags


def build_report(data: QualityData, names: Mapping[Key, str] | None = None) -> QualityReport:
    method, consensus, reliability = fit_consensus(data.votes)
    weights = {r.worker: r.reliability for r in reliability}
    judgments = {(v.item, v.worker) for v in data.votes}
    return QualityReport(
        preference_ordinal=preference_alpha(data.votes, level="ordinal"),
        preference_nominal=preference_alpha(data.votes, level="nominal"),
        rubric=rubric_alpha(data.ratings),
        pairwise=pairwise_agreement(data.votes),
        agreement_by_week=agreement_by_week(data.votes, data.voted_at),
        consensus_method=method,
        consensus=consensus,
        reliability=reliability,
        gold=gold_accuracy(data.gold),
        gold_by_week=gold_accuracy_by_week(data.gold),
        rubric_scores=rubric_scores(data.ratings, weights=weights or None),
        flags=find_flags(data, consensus, method),
        judgments=len(judgments),
        judges=len({w for _, w in judgments}),
        names=dict(names or {}),
    )


def plain(value: Any) -> Any:
    """JSON-ready copy: dataclasses to dicts, dates to ISO text, tuples to lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def report_dict(report: QualityReport) -> dict[str, Any]:
    out: dict[str, Any] = plain(report)
    return out
