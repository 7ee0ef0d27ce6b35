"""Consensus as an export needs it: plain rows, filled from ``codejury.quality``'s consensus.

There is one consensus implementation, in the quality package (``codejury.quality.aggregation``,
``codejury.quality.report.fit_consensus``). This module only turns its per-pair rows into what the
preference formatter reads:

- ``Consensus`` is plain data: an agreed order of candidates (best first) with its ``confidence``,
  ``strength`` and vote count. Library users may build it by hand (no database, no quality run);
  the database path gives one per decided candidate pair, ranking ``(chosen, rejected)``.
- ``pair_consensus`` fits the quality consensus over pairwise votes
  (``codejury.quality.votes.PreferenceVote``) and keeps every pair whose label is not a tie:
  ``confidence`` is the quality consensus confidence of the pair, ``strength`` the mean strength of
  the votes that agree with its label (0 tie, 1 better, 2 much better; k-way rankings count as 1).
  Under majority vote an exact split between labels is undecided and left out as well.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from codejury.errors import InvalidInput

if TYPE_CHECKING:
    from codejury.quality.aggregation import Consensus as PairRow
    from codejury.quality.votes import Key, PreferenceVote

CONSENSUS_METHODS = ("auto", "majority", "dawid-skene")


@dataclass(frozen=True, slots=True)
class Consensus:
    """An agreed order of an item's candidates (best first), as plain data."""

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


def fit_pairs(votes: Sequence[PreferenceVote], method: str = "auto") -> tuple[str, list[PairRow]]:
    """The quality consensus of every candidate pair, and the method that gave it.

    ``method``: ``"auto"`` (quality's rule: Dawid–Skene when the data support it, else majority
    vote), ``"majority"`` or ``"dawid-skene"``. The method returned is quality's name for it
    (``"majority_vote"``, ``"dawid_skene"`` or ``"none"`` without votes).
    """
    from codejury.quality.aggregation import DawidSkeneConsensus, MajorityVoteConsensus
    from codejury.quality.report import fit_consensus

    if method not in CONSENSUS_METHODS:
        raise InvalidInput("unknown consensus method", [f"consensus: {method!r}"])
    if not votes:
        return "none", []
    if method == "majority":
        return "majority_vote", MajorityVoteConsensus().fit(votes).consensus_
    if method == "dawid-skene":
        return "dawid_skene", DawidSkeneConsensus().fit(votes).consensus_
    used, rows, _ = fit_consensus(votes)
    return used, rows


def _even_split(row: PairRow, votes: Sequence[PreferenceVote]) -> bool:
    """Whether another label got as many votes as the majority label (crowd-kit then picks one by
    column order, which is no preference)."""
    counts = Counter(v.label for v in votes)
    return any(n >= counts[row.label] for label, n in counts.items() if label != row.label)


def _agreeing_strength(row: PairRow, votes: Sequence[PreferenceVote]) -> float:
    agreeing = [v.strength for v in votes if v.label == row.label]
    return sum(agreeing) / len(agreeing) if agreeing else 1.0


def pair_consensus(
    votes: Sequence[PreferenceVote], method: str = "auto"
) -> tuple[str, dict[Key, list[Consensus]]]:
    """Per item, one ``Consensus`` with ranking ``(chosen, rejected)`` per decided candidate pair.

    Returns the quality method used and the pairs, in quality's order (item, then candidate ids).
    Pairs whose consensus label is a tie are left out, and so are exact majority-vote splits.
    """
    used, rows = fit_pairs(votes, method)
    by_unit: dict[tuple[Key, int, int], list[PreferenceVote]] = defaultdict(list)
    for vote in votes:
        by_unit[vote.unit].append(vote)
    out: dict[Key, list[Consensus]] = defaultdict(list)
    for row in rows:
        unit_votes = by_unit[(row.item, row.first, row.second)]
        if row.label == "tie" or (used == "majority_vote" and _even_split(row, unit_votes)):
            continue
        chosen, rejected = (
            (row.first, row.second) if row.label == "first" else (row.second, row.first)
        )
        strength = _agreeing_strength(row, unit_votes)
        out[row.item].append(Consensus((chosen, rejected), row.confidence, strength, row.votes))
    return used, dict(out)
