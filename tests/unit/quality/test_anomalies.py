from datetime import UTC, datetime

import pytest

from codejury.quality.aggregation import Consensus
from codejury.quality.anomalies import (
    consensus_disagreement,
    detect_anomalies,
    length_bias,
    low_gold_accuracy,
    position_bias,
    straight_lining,
    too_fast,
)
from codejury.quality.gold import GoldResult
from codejury.quality.votes import PreferenceVote, RubricRating


def timed(worker, seconds, n=6):
    return [PreferenceVote(i, worker, 1, 2, "first", 1, 1, seconds) for i in range(n)]


def test_too_fast_below_published_minimum():
    votes = timed("a", 60) + timed("b", 8)
    [flag] = too_fast(votes, min_seconds=10)
    assert (flag.worker, flag.kind, flag.evidence["median_seconds"]) == ("b", "too_fast", 8)


def test_too_fast_far_below_peers():
    # peers' medians 60, 62, 58, 61: mean 60.25, SD 1.71 -> floored at 6.025; cutoff 42.2
    votes = timed("a", 60) + timed("b", 62) + timed("c", 58) + timed("d", 61) + timed("e", 40)
    [flag] = too_fast(votes, min_seconds=10)
    assert flag.worker == "e"
    assert flag.evidence["peer_cutoff"] == pytest.approx(60.25 - 3 * 6.025)


def test_too_fast_needs_enough_judgments_and_counts_a_judgment_once():
    # five pairs of one 3-way judgment are one judgment, not five
    assert too_fast(timed("a", 1, n=1) * 5, min_judgments=2) == []


def test_position_bias_exact_binomial():
    always_first = [PreferenceVote(i, "a", 1, 2, "first", 1, 1) for i in range(20)]
    [flag] = position_bias(always_first)
    assert flag.evidence["chosen"] == 20
    assert flag.evidence["p_value"] == pytest.approx(2 * 0.5**20)
    balanced = [PreferenceVote(i, "b", 1, 2, "first", 1, 1 + i % 2) for i in range(40)]
    assert position_bias(balanced) == []
    assert position_bias(always_first[:19]) == []  # too few votes to say


def test_length_bias_against_peers_rate():
    lengths = {1: 100, 2: 500}
    peers = [
        PreferenceVote(i, w, 1, 2, "first" if i % 2 else "second") for w in "pq" for i in range(40)
    ]
    longer = [PreferenceVote(i, "x", 1, 2, "second") for i in range(30)]
    [flag] = length_bias(peers + longer, lengths)
    assert flag.worker == "x"
    assert (flag.evidence["chosen"], flag.evidence["n"], flag.evidence["expected_rate"]) == (
        30,
        30,
        0.5,
    )


def test_straight_lining_needs_a_long_constant_run():
    rows = []
    for item in range(25):
        for cand in (1, 2):
            for crit in ("correct", "clear"):
                rows.append(RubricRating(item, "flat", cand, crit, 3))
                rows.append(RubricRating(item, "varied", cand, crit, 3 + (item == 12)))
    [flag] = straight_lining(rows, min_run=20)
    assert (flag.worker, flag.evidence["run"], flag.evidence["value"]) == ("flat", 25, 3.0)
    assert straight_lining(rows, min_run=26) == []


def test_low_gold_accuracy_uses_the_upper_bound():
    at = datetime(2025, 1, 6, tzinfo=UTC)
    poor = [GoldResult("a", i, i < 4, at) for i in range(20)]  # 4/20, upper bound ~0.42
    fine = [GoldResult("b", i, i < 12, at) for i in range(20)]  # 12/20, upper bound ~0.78
    [flag] = low_gold_accuracy(poor + fine, threshold=0.7)
    assert flag.worker == "a" and flag.evidence["upper_bound"] < 0.7


def test_consensus_disagreement_z_score_over_peers():
    consensus = [Consensus(i, 1, 2, "first", 1.0, 5) for i in range(40)]
    votes = []
    for w, wrong in (("a", 4), ("b", 6), ("c", 5), ("d", 36)):
        votes += [PreferenceVote(i, w, 1, 2, "second" if i < wrong else "first") for i in range(40)]
    [flag] = consensus_disagreement(votes, consensus)
    assert flag.worker == "d"
    assert flag.evidence["rate"] == pytest.approx(0.9)
    assert flag.evidence["peer_mean"] == pytest.approx(0.125)


def test_detect_anomalies_runs_the_checks_it_has_input_for():
    votes = timed("a", 60, n=25) + timed("b", 2, n=25)  # both always choose the first-shown
    kinds = {(f.worker, f.kind) for f in detect_anomalies(votes)}
    assert kinds == {("a", "position_bias"), ("b", "position_bias"), ("b", "too_fast")}
