import pytest
from crowdkit.aggregation import DawidSkene
from hypothesis import given, settings
from hypothesis import strategies as st

from codejury.quality.aggregation import (
    DawidSkeneConsensus,
    MajorityVoteConsensus,
    rubric_scores,
    votes_frame,
)
from codejury.quality.votes import LABELS, PreferenceVote, RubricRating


def vote(item, worker, label, first=1, second=2):
    return PreferenceVote(item, worker, first, second, label)


VOTES = [
    vote(1, "a", "first"), vote(1, "b", "first"), vote(1, "c", "second"),
    vote(2, "a", "second", 3, 4), vote(2, "b", "second", 3, 4), vote(2, "c", "second", 3, 4),
    vote(3, "a", "tie"), vote(3, "b", "tie"), vote(3, "c", "first"),
]  # fmt: skip


def test_majority_vote_labels_share_and_reliability():
    mv = MajorityVoteConsensus().fit(VOTES)
    got = [(c.item, c.first, c.second, c.label, c.votes) for c in mv.consensus_]
    assert got == [(1, 1, 2, "first", 3), (2, 3, 4, "second", 3), (3, 1, 2, "tie", 3)]
    assert [c.confidence for c in mv.consensus_] == pytest.approx([2 / 3, 1.0, 2 / 3])
    # a and b match the majority on all three pairs, c on one of three.
    assert {r.worker: r.reliability for r in mv.reliability_} == pytest.approx(
        {"a": 1.0, "b": 1.0, "c": 1 / 3}
    )


def test_dawid_skene_reliability_is_expected_accuracy_under_priors():
    ds = DawidSkeneConsensus().fit(VOTES)
    for r in ds.reliability_:
        matrix = ds.errors_[r.worker]
        want = sum(ds.priors_[c] * matrix[i][i] for i, c in enumerate(LABELS))
        assert r.reliability == pytest.approx(want)
        # each column of a confusion matrix is a distribution over observed labels
        for true in range(3):
            assert sum(row[true] for row in matrix) == pytest.approx(1.0)
    by_worker = {r.worker: r.reliability for r in ds.reliability_}
    assert by_worker["a"] > by_worker["c"]
    assert sum(ds.priors_.values()) == pytest.approx(1.0)


def test_dawid_skene_consensus_is_crowdkit_posterior():
    ds = DawidSkeneConsensus().fit(VOTES)
    frame = votes_frame(VOTES)
    probas = DawidSkene(n_iter=100, tol=1e-5).fit(frame.data).probas_
    for task, unit in enumerate(frame.units):
        [c] = [c for c in ds.consensus_ if (c.item, c.first, c.second) == unit]
        assert c.label == probas.loc[task].idxmax()
        assert c.confidence == pytest.approx(probas.loc[task].max())


def test_rubric_scores_mean_count_and_weighted_mean():
    ratings = [
        RubricRating(1, "a", 7, "correct", 4), RubricRating(1, "b", 7, "correct", 2),
        RubricRating(2, "c", 7, "correct", 3), RubricRating(1, "a", 8, "correct", 5),
    ]  # fmt: skip
    seven, eight = rubric_scores(ratings, weights={"a": 0.9, "b": 0.1})
    assert (seven.candidate, seven.mean, seven.n) == (7, 3.0, 3)
    assert seven.weighted_mean == pytest.approx((0.9 * 4 + 0.1 * 2) / 1.0)  # c weighs 0
    assert (eight.mean, eight.n, eight.weighted_mean) == (5.0, 1, 5.0)
    assert rubric_scores(ratings)[0].weighted_mean is None


def test_empty_input_gives_empty_results():
    assert DawidSkeneConsensus().fit([]).consensus_ == []
    assert MajorityVoteConsensus().fit([]).reliability_ == []


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.sampled_from("abcd"), st.sampled_from(LABELS)),
        min_size=1,
        max_size=40,
        unique_by=lambda row: row[:2],
    ),
    st.randoms(use_true_random=False),
)
def test_consensus_does_not_depend_on_vote_order(rows, rnd):
    votes = [vote(item, worker, label) for item, worker, label in rows]
    shuffled = list(votes)
    rnd.shuffle(shuffled)
    for estimator in (MajorityVoteConsensus, DawidSkeneConsensus):
        a, b = estimator().fit(votes), estimator().fit(shuffled)
        assert [(c.item, c.votes) for c in a.consensus_] == [
            (c.item, c.votes) for c in b.consensus_
        ]
        for x, y in zip(a.consensus_, b.consensus_, strict=True):
            assert 0.0 <= x.confidence <= 1.0 + 1e-9
            assert x.confidence == pytest.approx(y.confidence, abs=1e-6)
