"""Synthetic judges on items with known answers: the quality pipeline must tell them apart."""

import numpy as np
import pytest
from scipy.stats import spearmanr

from codejury.quality.aggregation import DawidSkeneConsensus, MajorityVoteConsensus
from codejury.quality.anomalies import position_bias, too_fast
from codejury.quality.votes import LABELS, PreferenceVote, votes_from_judgment

ACCURACY = {"r95": 0.95, "r85": 0.85, "r75": 0.75, "r65": 0.65, "r55": 0.55}
JUDGES = [*ACCURACY, "always_first", "hasty"]
ITEMS, OVERLAP = 300, 5


def answer(rng, judge, truth, shown):
    """The label a judge gives, in candidate terms; ``shown`` is the display order."""
    if judge == "always_first":
        return "first" if shown[0] < shown[1] else "second"
    accuracy = ACCURACY.get(judge, 0.6)
    if rng.random() < accuracy:
        return truth
    return str(rng.choice([label for label in LABELS if label != truth]))


def judgment(rng, item, judge, label, shown):
    a, b = shown if shown[0] < shown[1] else shown[::-1]  # a < b
    ranking = [a, b] if label != "second" else [b, a]
    strength = 0 if label == "tie" else int(rng.integers(1, 3))
    seconds = (
        float(rng.uniform(1, 3)) if judge == "hasty" else float(rng.lognormal(np.log(60), 0.4))
    )
    return votes_from_judgment(item, judge, ranking, strength, shown, seconds=seconds)


@pytest.fixture(scope="module")
def simulation() -> tuple[list[PreferenceVote], dict[int, str]]:
    rng = np.random.default_rng(20250101)
    truths: dict[int, str] = {}
    votes: list[PreferenceVote] = []
    for item in range(ITEMS):
        truth = str(rng.choice(LABELS, p=[0.45, 0.1, 0.45]))
        truths[item] = truth
        candidates = [2 * item, 2 * item + 1]
        for judge in rng.choice(JUDGES, size=OVERLAP, replace=False):
            shown = [int(c) for c in rng.permutation(candidates)]
            label = answer(rng, str(judge), truth, shown)
            votes += judgment(rng, item, str(judge), label, shown)
    return votes, truths


@pytest.fixture(scope="module")
def dawid_skene(simulation) -> DawidSkeneConsensus:
    return DawidSkeneConsensus().fit(simulation[0])


def accuracy(consensus, truths):
    return np.mean([c.label == truths[c.item] for c in consensus])


def test_dawid_skene_ranks_judges_like_their_true_accuracy(dawid_skene):
    reliability = {r.worker: r.reliability for r in dawid_skene.reliability_}
    judges = list(ACCURACY)
    rho = spearmanr([ACCURACY[j] for j in judges], [reliability[j] for j in judges]).statistic
    assert rho >= 0.9


def test_dawid_skene_is_at_least_as_accurate_as_majority_vote(simulation, dawid_skene):
    votes, truths = simulation
    ds = accuracy(dawid_skene.consensus_, truths)
    mv = accuracy(MajorityVoteConsensus().fit(votes).consensus_, truths)
    assert ds >= mv
    assert ds > 0.8


def test_biased_and_hasty_judges_are_flagged_and_careful_ones_are_not(simulation):
    votes, _ = simulation
    biased = {f.worker for f in position_bias(votes)}
    hasty = {f.worker for f in too_fast(votes)}
    assert "always_first" in biased
    assert "hasty" in hasty
    assert not (biased | hasty) & set(ACCURACY)
