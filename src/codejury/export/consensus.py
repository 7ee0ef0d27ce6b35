"""Item consensus from the judges' votes: a plurality vote, kept small so it is easy to swap.

A vote is one judge's ranking of an item's candidates (best first) with a strength (0 tie, 1 better,
2 much better; ``None`` for k-way rankings). The consensus is the ranking most judges gave, with
``confidence`` = the share of votes that gave it and ``strength`` = the mean strength of those
votes. An item whose votes split evenly between two answers, or whose plurality answer is "tie", is
``tied`` and left out of preference exports.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

TIE = ()


@dataclass(frozen=True, slots=True)
class Vote:
    """One judge's verdict on one item."""

    annotator: str
    ranking: tuple[int, ...]
    strength: int | None = None

    @property
    def is_tie(self) -> bool:
        return self.strength == 0


@dataclass(frozen=True, slots=True)
class Consensus:
    """The agreed ranking of an item's candidates (best first)."""

    ranking: tuple[int, ...]
    confidence: float
    strength: float
    votes: int
    tied: bool = False

    @property
    def pairs(self) -> list[tuple[int, int]]:
        """Every ordered (better, worse) pair the ranking implies; none for a tie."""
        if self.tied:
            return []
        return [
            (better, worse)
            for i, better in enumerate(self.ranking)
            for worse in self.ranking[i + 1 :]
        ]


def _answer(vote: Vote) -> tuple[int, ...]:
    return TIE if vote.is_tie else tuple(vote.ranking)


def _strength(vote: Vote) -> float:
    return 1.0 if vote.strength is None else float(vote.strength)


def majority_vote(votes: Sequence[Vote]) -> Consensus | None:
    """The plurality answer among ``votes``; ``None`` without votes.

    Two of three judges preferring 1 over 2 (strengths 2 and 1) give ranking ``(1, 2)``,
    confidence 2/3 and strength 1.5.
    """
    if not votes:
        return None
    counts = Counter(_answer(v) for v in votes)
    (top, top_count), *rest = counts.most_common()
    confidence = top_count / len(votes)
    split = bool(rest) and rest[0][1] == top_count
    if top == TIE or split:
        ranking = tuple(votes[0].ranking)
        return Consensus(ranking, confidence, 0.0, len(votes), tied=True)
    agreeing = [_strength(v) for v in votes if _answer(v) == top]
    return Consensus(top, confidence, sum(agreeing) / len(agreeing), len(votes))


def _mean_agreeing_strength(votes: Sequence[Vote], winner: int) -> float:
    agreeing = [_strength(v) for v in votes if not v.is_tie and v.ranking[0] == winner]
    return sum(agreeing) / len(agreeing) if agreeing else 1.0


def dawid_skene(votes_by_item: Mapping[int, Sequence[Vote]]) -> dict[int, Consensus]:
    """Consensus of every item at once with Dawid–Skene (``codejury.quality.aggregation``).

    Pairwise items take the Dawid–Skene label of their pair, with ``confidence`` = its posterior, so a
    judge who often disagrees with the others weighs less. K-way items keep the plurality vote.
    """
    from codejury.quality.aggregation import DawidSkeneConsensus
    from codejury.quality.votes import votes_from_judgment

    pairwise = {i: vs for i, vs in votes_by_item.items() if all(len(v.ranking) == 2 for v in vs)}
    out = {i: c for i, vs in votes_by_item.items() if i not in pairwise if (c := majority_vote(vs))}
    flat = [
        pv
        for item, votes in pairwise.items()
        for v in votes
        for pv in votes_from_judgment(item, v.annotator, v.ranking, v.strength, v.ranking)
    ]
    if not flat:
        return out
    for pair in DawidSkeneConsensus().fit(flat).consensus_:
        votes = pairwise[int(pair.item)]
        if pair.label == "tie":
            out[int(pair.item)] = Consensus(
                votes[0].ranking, pair.confidence, 0.0, pair.votes, tied=True
            )
            continue
        winner, loser = (
            (pair.first, pair.second) if pair.label == "first" else (pair.second, pair.first)
        )
        strength = _mean_agreeing_strength(votes, winner)
        out[int(pair.item)] = Consensus((winner, loser), pair.confidence, strength, pair.votes)
    return out
