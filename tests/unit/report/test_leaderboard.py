"""Source leaderboards from plain comparisons: hand-checkable three-model data."""

from __future__ import annotations

import random

import pytest

from codejury.report.leaderboard import SliceComparison, leaderboard, leaderboards


def _games(winner: str, loser: str, wins: int, losses: int, ties: int = 0, slice_name: str = "all"):
    return (
        [SliceComparison(slice_name, winner, loser) for _ in range(wins)]
        + [SliceComparison(slice_name, loser, winner) for _ in range(losses)]
        + [SliceComparison(slice_name, winner, loser, tie=True) for _ in range(ties)]
    )


def clear_order(times: int = 1) -> list[SliceComparison]:
    """A beats B 18–2, B beats C 18–2, A beats C 18–0 with 2 ties."""
    one = _games("A", "B", 18, 2) + _games("B", "C", 18, 2) + _games("A", "C", 18, 0, 2)
    return one * times


def test_clear_order_gets_separate_ranks() -> None:
    board = leaderboard(clear_order(), rounds=200, seed=0)
    assert board.models == ["A", "B", "C"]
    assert [r.rank for r in board.ratings] == [1, 2, 3]
    a, b, c = board.ratings
    assert a.low > b.high and b.low > c.high
    assert a.strength > 0 > c.strength
    assert abs(sum(r.strength for r in board.ratings)) < 1e-6
    assert (a.wins, a.losses, a.ties, a.n) == (36, 2, 2, 40)
    assert board.comparisons == 60


def test_win_rate_matrix_counts_ties_half() -> None:
    board = leaderboard(clear_order(), rounds=0)
    rates = board.win_rates
    assert rates[0][1] == pytest.approx(0.9)  # A over B: 18 of 20
    assert rates[1][0] == pytest.approx(0.1)
    assert rates[0][2] == pytest.approx(0.95)  # A over C: 18 wins + 2 ties / 2
    assert rates[2][0] == pytest.approx(0.05)
    assert rates[1][2] == pytest.approx(0.9)
    assert [rates[i][i] for i in range(3)] == [None, None, None]
    assert board.games[0] == [0, 20, 20]


def test_overlapping_intervals_share_a_rank() -> None:
    rows = _games("D", "E", 5, 5) + clear_order()
    ranks = {r.name: r.rank for r in leaderboard(rows, rounds=200, seed=1).ratings}
    assert ranks["D"] == ranks["E"]
    assert ranks["A"] == 1


def test_same_seed_gives_identical_numbers_in_any_input_order() -> None:
    rows = clear_order()
    shuffled = rows[:]
    random.Random(7).shuffle(shuffled)
    first = leaderboard(rows, rounds=100, seed=3).as_dict()
    assert leaderboard(shuffled, rounds=100, seed=3).as_dict() == first
    other = leaderboard(rows, rounds=100, seed=4).as_dict()
    assert other["models"] != first["models"]  # the bootstrap really depends on the seed


def test_intervals_narrow_with_four_times_the_judgments() -> None:
    small = {r.name: r.high - r.low for r in leaderboard(clear_order(1), seed=0).ratings}
    large = {r.name: r.high - r.low for r in leaderboard(clear_order(4), seed=0).ratings}
    assert set(small) == set(large) == {"A", "B", "C"}
    for name in small:
        assert large[name] < small[name] * 0.8, name


def test_grouped_by_slice_and_self_comparisons_dropped() -> None:
    rows = _games("A", "B", 3, 1, slice_name="rust") + _games("B", "C", 2, 0, slice_name="go")
    rows.append(SliceComparison("go", "B", "B"))
    boards = leaderboards(rows, rounds=20, seed=0)
    assert [b.slice for b in boards] == ["go", "rust"]
    assert boards[0].models == ["B", "C"] and boards[0].comparisons == 2
    assert boards[1].win_rates[0][1] == pytest.approx(0.75)


def test_empty_slice_gives_an_empty_board() -> None:
    board = leaderboard([], rounds=10)
    assert board.ratings == [] and board.win_rates == [] and board.comparisons == 0
