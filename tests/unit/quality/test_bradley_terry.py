import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codejury.quality.bradley_terry import (
    Comparison,
    PairCounts,
    bradley_terry_with_intervals,
    comparisons_from_votes,
    fit_bradley_terry,
    interval_ranks,
    predicted_win_rate,
    win_rate_matrix,
)
from codejury.quality.votes import PreferenceVote

TINY = 1e-9  # a prior small enough to leave the maximum-likelihood answer unchanged


def test_two_players_strength_gap_is_log_odds_of_wins():
    # 0 beats 1 three times, 1 beats 0 once: p0 / p1 = 3.
    s = fit_bradley_terry([0, 0, 0, 1], [1, 1, 1, 0], prior=TINY)
    assert s[0] - s[1] == pytest.approx(math.log(3), abs=1e-6)
    assert s.sum() == pytest.approx(0.0, abs=1e-12)


def test_ties_count_half_to_each_side():
    # one win and two ties for player 0: points 2 : 1.
    s = fit_bradley_terry([0, 0, 1], [1, 1, 0], ties=[False, True, True], prior=TINY)
    assert s[0] - s[1] == pytest.approx(math.log(2), abs=1e-6)


def test_prior_keeps_unbeaten_player_finite():
    s = fit_bradley_terry([0, 0], [1, 1])
    assert np.all(np.isfinite(s)) and s[0] > s[1]


def test_fit_matches_direct_likelihood_maximisation():
    from scipy.optimize import minimize

    rng = np.random.default_rng(3)
    winners, losers = rng.integers(0, 5, 400), rng.integers(0, 5, 400)
    keep = winners != losers
    winners, losers = winners[keep], losers[keep]
    wins = np.zeros((5, 5))
    np.add.at(wins, (winners, losers), 1)

    def nll(x):
        return np.sum(wins * np.logaddexp(0, x[None, :] - x[:, None]))

    best = minimize(nll, np.zeros(5), method="BFGS", options={"gtol": 1e-10}).x
    assert fit_bradley_terry(winners, losers, prior=TINY) == pytest.approx(
        best - best.mean(), abs=1e-4
    )


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 4), st.booleans()), min_size=1, max_size=60
    ),
    st.permutations(range(5)),
)
def test_strengths_follow_players_when_relabelled(games, relabel):
    w = np.array([g[0] for g in games])
    lo = np.array([g[1] for g in games])
    ties = np.array([g[2] for g in games])
    perm = np.array(relabel)
    base = fit_bradley_terry(w, lo, ties, n_players=5)
    moved = fit_bradley_terry(perm[w], perm[lo], ties, n_players=5)
    assert moved[perm] == pytest.approx(base, abs=1e-6)


def test_pair_counts_from_arrays_and_comparisons_agree():
    comparisons = [Comparison("x", "y"), Comparison("y", "x", tie=True), Comparison("z", "x"),
                   Comparison("x", "x")]  # fmt: skip
    by_rows = PairCounts.from_comparisons(comparisons)
    by_arrays = PairCounts.from_arrays(["x", "y", "z", "x"], ["y", "x", "x", "x"],
                                       [False, True, False, False])  # fmt: skip
    for counts in (by_rows, by_arrays):
        records = dict(zip(counts.names, zip(*counts.records(), strict=True), strict=True))
        assert records == {"x": (1, 1, 1), "y": (0, 1, 1), "z": (1, 0, 0)}  # self-game dropped


def test_intervals_are_reproducible_and_hold_the_estimate():
    rng = np.random.default_rng(0)
    names = np.array(["m0", "m1", "m2", "m3"])
    i, j = rng.integers(0, 4, 3000), rng.integers(0, 4, 3000)
    truth = np.array([1.0, 0.5, 0.0, -1.5])
    win = rng.random(3000) < 1 / (1 + np.exp(truth[j] - truth[i]))
    pairs = PairCounts.from_arrays(names[np.where(win, i, j)], names[np.where(win, j, i)])
    first = bradley_terry_with_intervals(pairs, rounds=100, seed=7)
    again = bradley_terry_with_intervals(pairs, rounds=100, seed=7)
    assert first == again
    assert [r.name for r in first] == ["m0", "m1", "m2", "m3"]
    for r in first:
        assert r.low <= r.strength <= r.high
        assert r.n == r.wins + r.losses + r.ties
    assert [r.rank for r in first] == [1, 2, 3, 4]  # well separated: no overlaps


def test_interval_ranks_count_players_clearly_above():
    low = [2.0, 1.5, 0.0, -1.0]
    high = [3.0, 2.5, 1.8, 0.1]
    # player 1 overlaps player 0; player 2 lies below 0 but overlaps 1; player 3 below 0, 1 and 2's low
    assert interval_ranks(low, high).tolist() == [1, 1, 2, 3]


def test_win_rate_matrix_counts_ties_as_half():
    pairs = PairCounts.from_comparisons(
        [Comparison("a", "b"), Comparison("a", "b"), Comparison("b", "a", tie=True)]
    )
    rates = win_rate_matrix(PairCounts.from_comparisons(
        [Comparison("a", "b"), Comparison("a", "b"), Comparison("b", "a", tie=True),
         Comparison("c", "c")]))  # fmt: skip
    assert pairs.names == ["a", "b"]
    assert rates[0, 1] == pytest.approx(2.5 / 3) and rates[1, 0] == pytest.approx(0.5 / 3)
    assert np.isnan(rates[0, 0])
    model = predicted_win_rate([math.log(3), 0.0])
    assert model[0, 1] == pytest.approx(0.75) and model[1, 0] == pytest.approx(0.25)


def test_comparisons_from_votes_map_candidates_to_models_and_drop_same_model():
    votes = [
        PreferenceVote(1, "a", 10, 11, "second"),
        PreferenceVote(1, "b", 10, 11, "tie", 0),
        PreferenceVote(2, "a", 10, 12, "first"),
    ]
    models = {10: "alpha", 11: "beta", 12: "alpha"}
    assert comparisons_from_votes(votes, models) == [
        Comparison("beta", "alpha"),
        Comparison("alpha", "beta", tie=True),
    ]


def penalised_optimum(winners, losers, ties, n, prior):
    """The same model maximised by scipy: half a point per tie, ``prior`` tied games vs strength 0."""
    from scipy.optimize import minimize

    points = np.zeros((n, n))
    np.add.at(points, (winners, losers), np.where(ties, 0.5, 1.0))
    np.add.at(points, (losers, winners), np.where(ties, 0.5, 0.0))

    def nll(x):
        games = np.sum(points * np.logaddexp(0, x[None, :] - x[:, None]))
        return games + prior / 2 * np.sum(np.logaddexp(0, -x) + np.logaddexp(0, x))

    best = minimize(nll, np.zeros(n), method="BFGS", options={"gtol": 1e-10}).x
    return best - best.mean()


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 5), st.booleans()), min_size=1, max_size=80
    ),
    st.sampled_from([0.1, 1.0, 5.0]),
)
def test_fit_reaches_the_penalised_maximum_on_any_data(games, prior):
    games = [g for g in games if g[0] != g[1]]
    w = np.array([g[0] for g in games], dtype=int)
    lo = np.array([g[1] for g in games], dtype=int)
    ties = np.array([g[2] for g in games], dtype=bool)
    got = fit_bradley_terry(w, lo, ties, n_players=6, prior=prior, tol=1e-12)
    assert got == pytest.approx(penalised_optimum(w, lo, ties, 6, prior), abs=1e-4)


@given(st.lists(st.tuples(st.floats(-5, 5), st.floats(0, 3)), min_size=1, max_size=30))
def test_interval_ranks_equal_the_pairwise_count(bounds):
    low = np.array([b[0] for b in bounds])
    high = low + np.array([b[1] for b in bounds])
    expected = [1 + sum(other > h for other in low) for h in high]
    assert interval_ranks(low, high).tolist() == expected


def test_no_games_gives_no_ratings_and_self_games_give_a_blank_record():
    assert bradley_terry_with_intervals([]) == []
    [alone] = bradley_terry_with_intervals([Comparison("a", "a")])
    assert (alone.name, alone.strength, alone.low, alone.high, alone.n, alone.rank) == (
        "a", 0.0, 0.0, 0.0, 0, 1,
    )  # fmt: skip
