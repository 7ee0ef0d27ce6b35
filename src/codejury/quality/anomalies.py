"""Anomaly flags: patterns in a judge's work that deserve a person's look.

A flag opens a review and nothing else: it never changes pay or access by itself. Each flag carries
the numbers it rests on (``evidence``) so a reviewer can check them. Penalties, if any, rest on
objective evidence (gold answers, execution facts) and a person's decision, never on disagreeing
with other judges about a subjective preference: ``consensus_disagreement`` exists to find confusing
guidelines or items as much as careless work.

Peer comparisons leave the judge out of the peer figures (mean, SD, pooled rate), so one outlier
cannot hide itself by widening the spread it is measured against.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from codejury.quality.aggregation import Consensus
from codejury.quality.gold import GoldResult, gold_accuracy
from codejury.quality.votes import Key, PreferenceVote, RubricRating, key_order

FlagKind = Literal[
    "too_fast",
    "position_bias",
    "length_bias",
    "straight_lining",
    "low_gold_accuracy",
    "consensus_disagreement",
]


@dataclass(frozen=True, slots=True)
class Flag:
    worker: Key
    kind: FlagKind
    evidence: dict[str, Any] = field(default_factory=dict)


def _peers(values: Mapping[Key, float], worker: Key) -> list[float]:
    return [v for w, v in values.items() if w != worker]


def _sorted(flags: list[Flag]) -> list[Flag]:
    return sorted(flags, key=lambda f: (key_order(f.worker), f.kind))


def too_fast(
    votes: Iterable[PreferenceVote],
    *,
    min_seconds: float = 10.0,
    sd_factor: float = 3.0,
    min_judgments: int = 5,
) -> list[Flag]:
    """Median seconds per judgment below ``min_seconds`` or below peers' mean − ``sd_factor`` SD.

    Peers are the other judges' medians (SD floored at 10% of their mean). Seconds are counted once
    per judgment, however many pairs it expands to.
    """
    seconds: dict[Key, dict[Key, float]] = defaultdict(dict)
    for vote in votes:
        if vote.seconds is not None:
            seconds[vote.worker][vote.item] = vote.seconds
    medians = {
        w: statistics.median(s.values()) for w, s in seconds.items() if len(s) >= min_judgments
    }
    flags = []
    for worker, median in medians.items():
        peers = _peers(medians, worker)
        cutoff = None
        if len(peers) >= 2:
            mean = statistics.fmean(peers)
            cutoff = mean - sd_factor * max(statistics.stdev(peers), 0.1 * mean)
        if median < min_seconds or (cutoff is not None and median < cutoff):
            evidence = {
                "median_seconds": median,
                "judgments": len(seconds[worker]),
                "min_seconds": min_seconds,
                "peer_cutoff": cutoff,
            }
            flags.append(Flag(worker, "too_fast", evidence))
    return _sorted(flags)


def _binomial_flags(
    counts: Mapping[Key, tuple[int, int]],
    kind: FlagKind,
    expected: Callable[[Key], float],
    *,
    alternative: str,
    alpha: float,
    min_votes: int,
) -> list[Flag]:
    from scipy.stats import binomtest

    flags = []
    for worker, (k, n) in counts.items():
        if n < min_votes:
            continue
        p0 = expected(worker)
        p_value = float(binomtest(k, n, p0, alternative=alternative).pvalue)
        if p_value < alpha:
            evidence = {"chosen": k, "n": n, "rate": k / n, "expected_rate": p0, "p_value": p_value}
            flags.append(Flag(worker, kind, evidence))
    return _sorted(flags)


def position_bias(
    votes: Iterable[PreferenceVote], *, alpha: float = 0.001, min_votes: int = 20
) -> list[Flag]:
    """Chooses the candidate shown first far from half the time (exact two-sided binomial test).

    Counts decided votes (no ties) whose display order is known; ``chosen`` is how often the winner
    was the one shown first.
    """
    counts: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    for vote in votes:
        if vote.winner is None or vote.shown_first is None:
            continue
        counts[vote.worker][0] += vote.winner == vote.shown_first
        counts[vote.worker][1] += 1
    totals = {w: (k, n) for w, (k, n) in counts.items()}
    return _binomial_flags(
        totals,
        "position_bias",
        lambda _: 0.5,
        alternative="two-sided",
        alpha=alpha,
        min_votes=min_votes,
    )


def length_bias(
    votes: Iterable[PreferenceVote],
    lengths: Mapping[int, int],
    *,
    alpha: float = 0.001,
    min_votes: int = 20,
) -> list[Flag]:
    """Chooses the longer candidate far more often than peers do (exact one-sided binomial test).

    ``lengths`` maps candidate id to its length (e.g. characters). Counts decided votes between
    candidates of different length; the expected rate is the other judges' pooled rate.
    """
    counts: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    for vote in votes:
        winner = vote.winner
        size_a, size_b = lengths.get(vote.first), lengths.get(vote.second)
        if winner is None or size_a is None or size_b is None or size_a == size_b:
            continue
        longer = vote.first if size_a > size_b else vote.second
        counts[vote.worker][0] += winner == longer
        counts[vote.worker][1] += 1
    totals = {w: (k, n) for w, (k, n) in counts.items()}
    all_k = sum(k for k, _ in totals.values())
    all_n = sum(n for _, n in totals.values())

    def peer_rate(worker: Key) -> float:
        k, n = totals[worker]
        return (all_k - k) / (all_n - n) if all_n > n else 0.5

    return _binomial_flags(
        totals, "length_bias", peer_rate, alternative="greater", alpha=alpha, min_votes=min_votes
    )


def straight_lining(ratings: Iterable[RubricRating], *, min_run: int = 20) -> list[Flag]:
    """The same value on every criterion and candidate for ``min_run`` or more judgments in a row.

    ``ratings`` come in the order the judgments were made; a judgment is one (judge, item).
    """
    by_worker: dict[Key, dict[Key, set[float]]] = defaultdict(dict)
    for rating in ratings:
        by_worker[rating.worker].setdefault(rating.item, set()).add(rating.value)
    flags = []
    for worker, judgments in by_worker.items():
        longest, value = _longest_constant_run(list(judgments.values()))
        if longest >= min_run:
            evidence = {"run": longest, "value": value, "judgments": len(judgments)}
            flags.append(Flag(worker, "straight_lining", evidence))
    return _sorted(flags)


def _longest_constant_run(judgments: list[set[float]]) -> tuple[int, float | None]:
    best, best_value, run, current = 0, None, 0, None
    for values in judgments:
        single = next(iter(values)) if len(values) == 1 else None
        run = (
            run + 1
            if single is not None and single == current
            else (1 if single is not None else 0)
        )
        current = single
        if run > best:
            best, best_value = run, single
    return best, best_value


def low_gold_accuracy(
    results: Iterable[GoldResult],
    *,
    threshold: float = 0.7,
    level: float = 0.95,
    min_items: int = 10,
) -> list[Flag]:
    """Gold accuracy whose Wilson upper bound lies below ``threshold`` (open contests left out)."""
    flags = []
    for row in gold_accuracy(results, level=level):
        if row.n >= min_items and row.high < threshold:
            evidence = {
                "correct": row.correct,
                "n": row.n,
                "accuracy": row.accuracy,
                "upper_bound": row.high,
                "threshold": threshold,
                "level": level,
            }
            flags.append(Flag(row.worker, "low_gold_accuracy", evidence))
    return flags


def consensus_disagreement(
    votes: Iterable[PreferenceVote],
    consensus: Iterable[Consensus],
    *,
    z_threshold: float = 3.0,
    min_votes: int = 20,
) -> list[Flag]:
    """Disagrees with the consensus label far more often than peers (z-score over peers' rates).

    Peer SD is floored at 0.01. Subjective: this flag asks for a look and is never grounds for a
    penalty.
    """
    agreed = {(c.item, c.first, c.second): c.label for c in consensus}
    counts: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    for vote in votes:
        label = agreed.get(vote.unit)
        if label is not None:
            counts[vote.worker][0] += vote.label != label
            counts[vote.worker][1] += 1
    rates = {w: k / n for w, (k, n) in counts.items() if n >= min_votes}
    flags = []
    for worker, rate in rates.items():
        peers = _peers(rates, worker)
        if len(peers) < 2:
            continue
        mean, sd = statistics.fmean(peers), max(statistics.stdev(peers), 0.01)
        z = (rate - mean) / sd
        if z > z_threshold:
            k, n = counts[worker]
            evidence = {
                "disagreed": k,
                "n": n,
                "rate": rate,
                "peer_mean": mean,
                "peer_sd": sd,
                "z": z,
            }
            flags.append(Flag(worker, "consensus_disagreement", evidence))
    return _sorted(flags)


def detect_anomalies(
    votes: Sequence[PreferenceVote],
    *,
    ratings: Sequence[RubricRating] = (),
    gold: Sequence[GoldResult] = (),
    lengths: Mapping[int, int] | None = None,
    consensus: Sequence[Consensus] | None = None,
) -> list[Flag]:
    """Every check whose input is given, with default thresholds, sorted by worker then kind."""
    flags = too_fast(votes) + position_bias(votes)
    if lengths is not None:
        flags += length_bias(votes, lengths)
    if consensus is not None:
        flags += consensus_disagreement(votes, consensus)
    flags += straight_lining(ratings) + low_gold_accuracy(gold)
    return _sorted(flags)
