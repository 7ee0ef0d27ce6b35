"""Consensus per candidate pair, reliability per judge and aggregated rubric scores.

Both aggregators wrap crowd-kit (``MajorityVote``, ``DawidSkene``) over the long format crowd-kit
expects (columns ``task``, ``worker``, ``label``), where a task is one (item, first, second) pair.
They follow crowd-kit's shape: ``fit(votes)`` returns the estimator and fitted attributes end in
``_``.

Dawid–Skene reliability of judge w is the expected accuracy under the class priors p::

    reliability(w) = Σ_c p[c] · P(w answers c | true label c)

i.e. the chance that w gives the right label on a pair drawn like the data set's pairs. It ranks
judges by how well their answers predict the consensus, which is a *subjective* standard: it weights
judges when combining votes and points reviewers at work worth a look, but it never changes pay or
access by itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self

from codejury.quality.votes import LABELS, Key, Label, PreferenceVote, RubricRating, key_order

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, slots=True)
class Consensus:
    """The aggregated label of one candidate pair; ``confidence`` is the posterior of that label."""

    item: Key
    first: int
    second: int
    label: Label
    confidence: float
    votes: int


@dataclass(frozen=True, slots=True)
class Reliability:
    worker: Key
    reliability: float
    votes: int


@dataclass(frozen=True, slots=True)
class RubricScore:
    candidate: int
    criterion: str
    mean: float
    n: int
    weighted_mean: float | None = None


@dataclass(frozen=True, slots=True)
class VoteFrame:
    """Votes in crowd-kit's long format, with the units that the integer ``task`` codes stand
    for."""

    data: pd.DataFrame
    units: list[tuple[Key, int, int]]


def votes_frame(votes: Iterable[PreferenceVote]) -> VoteFrame:
    """Long-format frame (``task``, ``worker``, ``label``); ``task`` indexes ``units``."""
    import pandas as pd

    unit_index: dict[tuple[Key, int, int], int] = {}
    tasks, workers, labels = [], [], []
    for vote in votes:
        tasks.append(unit_index.setdefault(vote.unit, len(unit_index)))
        workers.append(vote.worker)
        labels.append(vote.label)
    data = pd.DataFrame({"task": tasks, "worker": workers, "label": labels})
    return VoteFrame(data, list(unit_index))


def _consensus(frame: VoteFrame, probas: pd.DataFrame) -> list[Consensus]:
    counts = frame.data["task"].value_counts().reindex(probas.index).to_numpy()
    labels = probas.idxmax(axis=1).to_numpy()
    confidence = probas.max(axis=1).to_numpy(dtype=float)
    result = []
    for task, label, share, votes in zip(probas.index, labels, confidence, counts, strict=True):
        item, first, second = frame.units[int(task)]
        result.append(Consensus(item, first, second, label, float(share), int(votes)))
    return sorted(result, key=lambda c: (key_order(c.item), c.first, c.second))


def _reliability(scores: Mapping[Any, float], data: pd.DataFrame) -> list[Reliability]:
    counts = data["worker"].value_counts()
    return [Reliability(w, float(scores[w]), int(counts[w])) for w in sorted(scores, key=key_order)]


@dataclass
class MajorityVoteConsensus:
    """Majority vote per pair (crowd-kit ``MajorityVote``).

    ``confidence`` is the share of votes for the winning label; an exact split goes to the first
    label in crowd-kit's column order and shows as a confidence of 0.5 or less. ``reliability_`` is
    each judge's share of votes that match the majority.
    """

    consensus_: list[Consensus] = field(init=False, default_factory=list)
    reliability_: list[Reliability] = field(init=False, default_factory=list)

    def fit(self, votes: Iterable[PreferenceVote]) -> Self:
        return self.fit_frame(votes_frame(votes))

    def fit_frame(self, frame: VoteFrame) -> Self:
        from crowdkit.aggregation import MajorityVote

        mv = MajorityVote().fit(frame.data)
        assert mv.probas_ is not None and mv.skills_ is not None
        self.consensus_ = _consensus(frame, mv.probas_)
        self.reliability_ = _reliability(mv.skills_.to_dict(), frame.data)
        return self


@dataclass
class DawidSkeneConsensus:
    """Dawid–Skene per pair (crowd-kit ``DawidSkene``), with per-judge confusion matrices.

    ``errors_[w][observed, true]`` is P(w answers ``LABELS[observed]`` | true label
    ``LABELS[true]``); ``priors_`` the estimated share of each true label; ``reliability_`` the
    expected accuracy (module doc).
    """

    n_iter: int = 100
    tol: float = 1e-5
    consensus_: list[Consensus] = field(init=False, default_factory=list)
    reliability_: list[Reliability] = field(init=False, default_factory=list)
    priors_: dict[Label, float] = field(init=False, default_factory=dict)
    errors_: dict[Key, list[list[float]]] = field(init=False, default_factory=dict)
    iterations_: int = field(init=False, default=0)

    def fit(self, votes: Iterable[PreferenceVote]) -> Self:
        return self.fit_frame(votes_frame(votes))

    def fit_frame(self, frame: VoteFrame) -> Self:
        from crowdkit.aggregation import DawidSkene

        if frame.data.empty:
            return self
        ds = DawidSkene(n_iter=self.n_iter, tol=self.tol).fit(frame.data)
        assert ds.priors_ is not None and ds.errors_ is not None and ds.probas_ is not None
        priors: dict[Label, float] = {c: float(ds.priors_.get(c, 0.0)) for c in LABELS}
        self.priors_ = priors
        self.errors_ = _confusion_matrices(ds.errors_)
        self.iterations_ = len(ds.loss_history_)
        scores = {
            worker: sum(priors[c] * matrix[i][i] for i, c in enumerate(LABELS))
            for worker, matrix in self.errors_.items()
        }
        self.consensus_ = _consensus(frame, ds.probas_)
        self.reliability_ = _reliability(scores, frame.data)
        return self


def _confusion_matrices(errors: pd.DataFrame) -> dict[Key, list[list[float]]]:
    """crowd-kit's errors frame (index worker, observed label; columns true label) as 3×3 lists."""
    table = errors.reindex(columns=list(LABELS), fill_value=0.0)
    matrices: dict[Key, list[list[float]]] = {}
    for worker, rows in table.groupby(level="worker", sort=False):
        by_observed = rows.droplevel("worker").reindex(list(LABELS), fill_value=0.0)
        matrices[worker] = by_observed.to_numpy(dtype=float).tolist()
    return matrices


def rubric_scores(
    ratings: Iterable[RubricRating], *, weights: Mapping[Key, float] | None = None
) -> list[RubricScore]:
    """Mean rating per candidate and criterion, with its count.

    With ``weights`` (e.g. judge reliability) each score also gets a weighted mean; judges missing
    from ``weights`` weigh 0, and a score whose weights sum to 0 has no weighted mean.
    """
    groups: dict[tuple[int, str], list[RubricRating]] = defaultdict(list)
    for rating in ratings:
        groups[(rating.candidate, rating.criterion)].append(rating)
    scores = []
    for (candidate, criterion), rows in sorted(groups.items()):
        mean = sum(r.value for r in rows) / len(rows)
        scores.append(RubricScore(candidate, criterion, mean, len(rows), _weighted(rows, weights)))
    return scores


def _weighted(rows: Sequence[RubricRating], weights: Mapping[Key, float] | None) -> float | None:
    if weights is None:
        return None
    total = sum(weights.get(r.worker, 0.0) for r in rows)
    if total <= 0:
        return None
    return sum(weights.get(r.worker, 0.0) * r.value for r in rows) / total
