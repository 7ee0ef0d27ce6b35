"""Item consensus from the judges' votes: a plurality vote, kept small so it is easy to swap.

A vote is one judge's ranking of an item's candidates (best first) with a strength (0 tie, 1 better,
2 much better; ``None`` for k-way rankings). The consensus is the ranking most judges gave, with
``confidence`` = the share of votes that gave it and ``strength`` = the mean strength of those
votes. An item whose votes split evenly between two answers, or whose plurality answer is "tie", is
``tied`` and left out of preference exports.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
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
