"""Bradley–Terry strengths with bootstrap intervals: the one estimator every leaderboard uses.

Model: P(i beats j) = p_i / (p_i + p_j), strengths reported as centred log-strengths s_i = log p_i −
mean. A tie counts half a win to each side. Each player also plays ``prior`` virtual tied games
against a fixed reference of strength 1, a light shrinkage that keeps every strength finite (a
player who never lost, a comparison graph in pieces) and makes the fit unique; with many real games
its pull is negligible.

The fit works on counts per unique pair, never on single judgments, with the fixed-point iteration
of Newman (2023), which has the maximum-likelihood solution as its fixed point and converges faster
than Zermelo's MM::

    p_i ← (Σ_j w_ij · p_j/(p_i+p_j) + r/(p_i+1)) / (Σ_j w_ji/(p_i+p_j) + r/(p_i+1)),   r = prior/2

taken halfway (geometric mean of old and new p), which stops it oscillating.

Intervals resample whole judgments with replacement: one multinomial draw over the (pair, outcome)
cells per round, with a fixed seed, so a million judgments cost no more than their few hundred
distinct cells.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from codejury.errors import InvalidInput
from codejury.quality.votes import Key, PreferenceVote

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
_MAX_CELLS_PER_CHUNK = 4_000_000


@dataclass(frozen=True, slots=True)
class Comparison:
    """One judged outcome: ``winner`` beat ``loser``, or the two tied."""

    winner: Key
    loser: Key
    tie: bool = False


@dataclass(frozen=True, slots=True)
class Rating:
    """A player's strength (centred log-strength) with its bootstrap interval and record."""

    name: Key
    strength: float
    low: float
    high: float
    wins: int
    losses: int
    ties: int
    n: int
    rank: int


@dataclass(frozen=True)
class PairCounts:
    """Outcome counts per unique player pair ``a < b`` (indices into ``names``)."""

    names: list[Key]
    a: IntArray
    b: IntArray
    wins_a: IntArray
    wins_b: IntArray
    ties: IntArray

    @classmethod
    def from_arrays(
        cls, winners: ArrayLike, losers: ArrayLike, ties: ArrayLike | None = None
    ) -> PairCounts:
        """Count outcomes from parallel arrays of player names; self-comparisons are dropped."""
        w, lo = np.asarray(winners), np.asarray(losers)
        if w.shape != lo.shape or w.ndim != 1:
            raise InvalidInput("winners and losers must be 1-d arrays of the same length")
        import pandas as pd

        # hash-based and sorted: far faster than np.unique on a million strings
        codes, names = pd.factorize(np.concatenate([w, lo]), sort=True)
        tie = np.zeros(len(w), bool) if ties is None else np.asarray(ties, dtype=bool)
        if tie.shape != w.shape:
            raise InvalidInput("ties must be a boolean array as long as winners")
        counts = _pair_counts(codes[: len(w)], codes[len(w) :], tie, len(names))
        return cls([n.item() if isinstance(n, np.generic) else n for n in names], *counts)

    @classmethod
    def from_comparisons(cls, comparisons: Iterable[Comparison]) -> PairCounts:
        index: dict[Key, int] = {}
        rows = [
            (index.setdefault(c.winner, len(index)), index.setdefault(c.loser, len(index)), c.tie)
            for c in comparisons
        ]
        arr = np.array(rows, dtype=np.int64).reshape(-1, 3)
        counts = _pair_counts(arr[:, 0], arr[:, 1], arr[:, 2].astype(bool), len(index))
        return cls(list(index), *counts)

    @property
    def n_players(self) -> int:
        return len(self.names)

    def records(self) -> tuple[IntArray, IntArray, IntArray]:
        """Per player: wins, losses, ties."""
        n = self.n_players
        wins = np.bincount(self.a, self.wins_a, n) + np.bincount(self.b, self.wins_b, n)
        losses = np.bincount(self.a, self.wins_b, n) + np.bincount(self.b, self.wins_a, n)
        ties = np.bincount(self.a, self.ties, n) + np.bincount(self.b, self.ties, n)
        return wins.astype(np.int64), losses.astype(np.int64), ties.astype(np.int64)


def _pair_counts(
    winners: IntArray, losers: IntArray, ties: NDArray[np.bool_], n: int
) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray]:
    keep = winners != losers
    winners, losers, ties = winners[keep], losers[keep], ties[keep]
    a, b = np.minimum(winners, losers), np.maximum(winners, losers)
    outcome = np.where(ties, 2, np.where(winners == a, 0, 1))
    pairs, pair_index = np.unique(a.astype(np.int64) * n + b, return_inverse=True)
    cells = np.bincount(pair_index * 3 + outcome, minlength=3 * len(pairs)).reshape(-1, 3)
    return pairs // n, pairs % n, cells[:, 0], cells[:, 1], cells[:, 2]


def _fit_batch(
    pairs: PairCounts, cells: NDArray[np.float64], prior: float, max_iter: int, tol: float
) -> FloatArray:
    """Centred log-strengths, one row per row of ``cells`` (rounds × pairs × 3 outcome counts).

    Works player-major (players × rounds) and sums over pairs with sparse incidence matrices, so one
    iteration costs O(pairs × rounds) whatever the number of players.
    """
    from scipy import sparse

    n, k = pairs.n_players, len(pairs.a)
    w_ab = np.ascontiguousarray((cells[:, :, 0] + cells[:, :, 2] / 2).T)  # pairs × rounds
    w_ba = np.ascontiguousarray((cells[:, :, 1] + cells[:, :, 2] / 2).T)
    column = np.arange(k)
    to_a = sparse.csr_matrix((np.ones(k), (pairs.a, column)), shape=(n, k))
    to_b = sparse.csr_matrix((np.ones(k), (pairs.b, column)), shape=(n, k))
    half_prior = prior / 2
    p = np.ones((n, cells.shape[0]))
    previous = np.zeros_like(p)
    for _ in range(max_iter):
        pa, pb = p[pairs.a], p[pairs.b]
        inverse = 1.0 / (pa + pb)
        ref = half_prior / (p + 1)
        num = to_a @ (w_ab * pb * inverse) + to_b @ (w_ba * pa * inverse) + ref
        den = to_a @ (w_ba * inverse) + to_b @ (w_ab * inverse) + ref
        # Geometric damping: the plain update can swing back and forth (two players: it jumps
        # between the answer squared and no gap at all); halfway in log space it settles.
        p = np.sqrt(p * num / den)
        log_p = np.log(p)
        log_p -= log_p.mean(axis=0)
        # The overall scale is pinned only by the weak prior and settles slowly; the centred
        # strengths that are reported settle fast, so they decide convergence.
        change = float(np.max(np.abs(log_p - previous), initial=0.0))
        previous = log_p
        if change < tol:
            break
    return np.ascontiguousarray(previous.T)


def fit_bradley_terry(
    winners: ArrayLike,
    losers: ArrayLike,
    ties: ArrayLike | None = None,
    n_players: int | None = None,
    *,
    prior: float = 1.0,
    max_iter: int = 10_000,
    tol: float = 1e-9,
) -> FloatArray:
    """Centred log-strengths of players ``0..n_players-1`` from integer winner/loser arrays.

    ``ties[k]`` marks judgment k a tie between ``winners[k]`` and ``losers[k]`` (half a win each).
    """
    w = np.asarray(winners, dtype=np.int64)
    lo = np.asarray(losers, dtype=np.int64)
    n = int(
        n_players if n_players is not None else (max(w.max(initial=-1), lo.max(initial=-1)) + 1)
    )
    if prior <= 0:
        raise InvalidInput("prior must be positive", [f"prior: {prior}"])
    if w.shape != lo.shape or (
        w.size and (min(w.min(), lo.min()) < 0 or max(w.max(), lo.max()) >= n)
    ):
        raise InvalidInput("winners and losers must be equal-length indices below n_players")
    tie = np.zeros(w.shape, bool) if ties is None else np.asarray(ties, dtype=bool)
    pairs = PairCounts(list(range(n)), *_pair_counts(w, lo, tie, n))
    return _fit_batch(pairs, _cells(pairs)[None], prior, max_iter, tol)[0]


def _cells(pairs: PairCounts) -> FloatArray:
    return np.stack([pairs.wins_a, pairs.wins_b, pairs.ties], axis=1).astype(float)


def bootstrap_strengths(
    pairs: PairCounts, *, rounds: int = 200, seed: int = 0, prior: float = 1.0, tol: float = 1e-9
) -> FloatArray:
    """``rounds × players`` log-strengths, each fitted on judgments resampled with replacement."""
    cells = _cells(pairs).ravel()
    total = int(cells.sum())
    if total == 0:  # nothing to resample: every round is the prior alone
        return np.zeros((rounds, pairs.n_players))
    rng = np.random.default_rng(seed)
    chunk = max(1, _MAX_CELLS_PER_CHUNK // max(cells.size, 1))
    fitted = []
    for start in range(0, rounds, chunk):
        size = min(chunk, rounds - start)
        draws = rng.multinomial(total, cells / max(total, 1), size=size).astype(float)
        fitted.append(_fit_batch(pairs, draws.reshape(size, -1, 3), prior, 10_000, tol))
    return np.concatenate(fitted) if fitted else np.empty((0, pairs.n_players))


def interval_ranks(low: ArrayLike, high: ArrayLike) -> IntArray:
    """Rank = 1 + the number of players whose low bound lies above this player's high bound."""
    lo, hi = np.sort(np.asarray(low, dtype=float)), np.asarray(high, dtype=float)
    above = len(lo) - np.searchsorted(lo, hi, side="right")
    return (1 + above).astype(np.int64)


def bradley_terry_with_intervals(
    comparisons: Iterable[Comparison] | PairCounts,
    *,
    rounds: int = 200,
    seed: int = 0,
    level: float = 0.95,
    prior: float = 1.0,
) -> list[Rating]:
    """Ratings, strongest first, with percentile bootstrap intervals at ``level``."""
    pairs = (
        comparisons
        if isinstance(comparisons, PairCounts)
        else PairCounts.from_comparisons(comparisons)
    )
    if not 0 < level < 1:
        raise InvalidInput("level must lie in (0, 1)", [f"level: {level}"])
    if pairs.n_players == 0:
        return []
    strength = _fit_batch(pairs, _cells(pairs)[None], prior, 10_000, 1e-9)[0]
    if rounds > 0:
        samples = bootstrap_strengths(pairs, rounds=rounds, seed=seed, prior=prior)
        low, high = np.quantile(samples, [(1 - level) / 2, (1 + level) / 2], axis=0)
    else:
        low, high = strength.copy(), strength.copy()
    ranks = interval_ranks(low, high)
    wins, losses, ties = pairs.records()
    ratings = [
        Rating(
            name,
            float(strength[i]),
            float(low[i]),
            float(high[i]),
            int(wins[i]),
            int(losses[i]),
            int(ties[i]),
            int(wins[i] + losses[i] + ties[i]),
            int(ranks[i]),
        )
        for i, name in enumerate(pairs.names)
    ]
    return sorted(ratings, key=lambda r: (r.rank, -r.strength))


def win_rate_matrix(pairs: PairCounts) -> FloatArray:
    """Observed share of points (wins + half the ties) of row player against column player; NaN
    unplayed."""
    n = pairs.n_players
    points = np.zeros((n, n))
    games = np.zeros((n, n))
    np.add.at(points, (pairs.a, pairs.b), pairs.wins_a + pairs.ties / 2)
    np.add.at(points, (pairs.b, pairs.a), pairs.wins_b + pairs.ties / 2)
    played = pairs.wins_a + pairs.wins_b + pairs.ties
    np.add.at(games, (pairs.a, pairs.b), played)
    np.add.at(games, (pairs.b, pairs.a), played)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(games > 0, points / games, np.nan)


def predicted_win_rate(strengths: ArrayLike) -> FloatArray:
    """P(row beats column) under the model: 1 / (1 + exp(s_col − s_row))."""
    s = np.asarray(strengths, dtype=float)
    return 1.0 / (1.0 + np.exp(s[None, :] - s[:, None]))


def comparisons_from_votes(
    votes: Iterable[PreferenceVote], names: Mapping[int, Key] | None = None
) -> list[Comparison]:
    """One comparison per vote, between candidates or (with ``names``: candidate → model) their
    models.

    A vote between two candidates of the same model says nothing about models and is left out.
    """
    result = []
    for vote in votes:
        first = names[vote.first] if names is not None else vote.first
        second = names[vote.second] if names is not None else vote.second
        if first == second:
            continue
        if vote.label == "second":
            result.append(Comparison(second, first))
        else:
            result.append(Comparison(first, second, tie=vote.label == "tie"))
    return result
