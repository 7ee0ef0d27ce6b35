"""Leaderboards of candidate sources (models) from pairwise human outcomes, as plain data.

Input is one ``SliceComparison`` per pairwise outcome between two sources: the slice it belongs to
(``"all"`` when not grouped), the winner, the loser and whether it was a tie. Output is one
``Leaderboard`` per slice: Bradley–Terry strengths with percentile-bootstrap intervals from
``codejury.quality.bradley_terry`` (the one estimator; ties count half a win to each side), ranks by
non-overlapping intervals, and the observed win-rate matrix in rank order.

Comparisons are sorted before fitting, so the same outcomes in any order with the same ``seed`` give
identical numbers.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from codejury.quality.bradley_terry import (
    Comparison,
    PairCounts,
    Rating,
    bradley_terry_with_intervals,
    win_rate_matrix,
)

ALL = "all"


@dataclass(frozen=True, slots=True)
class SliceComparison:
    """One pairwise outcome between two sources within one slice; with ``tie`` the order is
    arbitrary."""

    slice: str
    winner: str
    loser: str
    tie: bool = False


@dataclass(frozen=True)
class Leaderboard:
    """Ratings strongest first; ``win_rates[i][j]`` is row model i's observed share of points against
    column model j (ties half, ``None`` when they never met), ``games[i][j]`` how often they met."""

    slice: str
    ratings: list[Rating]
    win_rates: list[list[float | None]]
    games: list[list[int]]
    comparisons: int
    rounds: int
    seed: int
    level: float

    @property
    def models(self) -> list[str]:
        return [str(r.name) for r in self.ratings]

    def as_dict(self) -> dict[str, Any]:
        return {
            "slice": self.slice,
            "comparisons": self.comparisons,
            "rounds": self.rounds,
            "seed": self.seed,
            "level": self.level,
            "models": [_rating_dict(r) for r in self.ratings],
            "matrix": {"models": self.models, "win_rate": self.win_rates, "games": self.games},
        }


def _rating_dict(r: Rating) -> dict[str, Any]:
    return {
        "model": str(r.name),
        "rank": r.rank,
        "strength": r.strength,
        "low": r.low,
        "high": r.high,
        "wins": r.wins,
        "losses": r.losses,
        "ties": r.ties,
        "n": r.n,
    }


def leaderboard(
    comparisons: Sequence[SliceComparison] | Sequence[Comparison],
    *,
    slice_name: str = ALL,
    rounds: int = 200,
    seed: int = 0,
    level: float = 0.95,
) -> Leaderboard:
    """The leaderboard of one slice's comparisons (their own ``slice`` field is ignored)."""
    ordered = sorted(
        (Comparison(str(c.winner), str(c.loser), c.tie) for c in comparisons),
        key=lambda c: (str(c.winner), str(c.loser), c.tie),
    )
    ordered = [c for c in ordered if c.winner != c.loser]
    if not ordered:
        return Leaderboard(slice_name, [], [], [], 0, rounds, seed, level)
    pairs = PairCounts.from_comparisons(ordered)
    ratings = bradley_terry_with_intervals(pairs, rounds=rounds, seed=seed, level=level)
    position = [pairs.names.index(r.name) for r in ratings]
    rates = win_rate_matrix(pairs)[np.ix_(position, position)]
    games = _games(pairs)[np.ix_(position, position)]
    return Leaderboard(
        slice_name,
        ratings,
        [[None if math.isnan(v) else float(v) for v in row] for row in rates],
        [[int(v) for v in row] for row in games],
        len(ordered),
        rounds,
        seed,
        level,
    )


def _games(pairs: PairCounts) -> np.ndarray[Any, np.dtype[np.int64]]:
    n = pairs.n_players
    games = np.zeros((n, n), dtype=np.int64)
    played = pairs.wins_a + pairs.wins_b + pairs.ties
    np.add.at(games, (pairs.a, pairs.b), played)
    np.add.at(games, (pairs.b, pairs.a), played)
    return games


def leaderboards(
    comparisons: Iterable[SliceComparison],
    *,
    rounds: int = 200,
    seed: int = 0,
    level: float = 0.95,
) -> list[Leaderboard]:
    """One leaderboard per slice, slices in name order; every slice uses the same ``seed``."""
    by_slice: dict[str, list[SliceComparison]] = defaultdict(list)
    for c in comparisons:
        by_slice[c.slice].append(c)
    return [
        leaderboard(rows, slice_name=name, rounds=rounds, seed=seed, level=level)
        for name, rows in sorted(by_slice.items())
    ]
