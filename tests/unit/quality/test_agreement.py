import krippendorff
import numpy as np
import pytest

from codejury.errors import InvalidInput
from codejury.quality.agreement import (
    krippendorff_alpha,
    pairwise_agreement,
    preference_alpha,
    rubric_alpha,
)
from codejury.quality.votes import PreferenceVote, RubricRating


def vote(item, worker, label, strength=1):
    return PreferenceVote(item, worker, 1, 2, label, 0 if label == "tie" else strength)


# Three judges, four pairs. Pair 4 has one vote only: not pairable.
VOTES = [
    vote(1, "a", "first", 2), vote(1, "b", "first", 1), vote(1, "c", "first", 2),
    vote(2, "a", "second"), vote(2, "b", "tie"),
    vote(3, "a", "second", 2), vote(3, "b", "second", 2), vote(3, "c", "first"),
    vote(4, "c", "tie"),
]  # fmt: skip


def matrix(votes, value):
    """The reliability-data matrix (judges × units) that krippendorff.alpha takes directly."""
    workers = sorted({v.worker for v in votes})
    units = sorted({v.item for v in votes})
    data = np.full((len(workers), len(units)), np.nan)
    for v in votes:
        data[workers.index(v.worker), units.index(v.item)] = value(v)
    return data


def test_ordinal_preference_alpha_equals_krippendorff_on_signed_strength():
    got = preference_alpha(VOTES, level="ordinal")
    want = krippendorff.alpha(
        reliability_data=matrix(VOTES, lambda v: v.signed), level_of_measurement="ordinal"
    )
    assert got.alpha == pytest.approx(want, abs=1e-12)
    assert (got.units, got.pairable_values, got.annotators) == (3, 8, 3)


def test_nominal_preference_alpha_equals_krippendorff_on_labels():
    code = {"first": 0, "tie": 1, "second": 2}
    got = preference_alpha(VOTES, level="nominal")
    want = krippendorff.alpha(
        reliability_data=matrix(VOTES, lambda v: code[v.label]), level_of_measurement="nominal"
    )
    assert got.alpha == pytest.approx(want, abs=1e-12)


def test_perfect_disagreement_on_two_values_is_negative():
    votes = [vote(i, w, lab) for i in (1, 2) for w, lab in (("a", "first"), ("b", "second"))]
    assert preference_alpha(votes, level="nominal").alpha < 0


def test_rubric_alpha_per_criterion_equals_krippendorff():
    values = {  # (item, candidate) -> ratings by judges a, b, c
        (1, 1): (5, 4, 5), (1, 2): (2, 2, 1), (2, 3): (3, 4, None), (2, 4): (1, 1, 2),
    }  # fmt: skip
    ratings = [
        RubricRating(item, w, cand, "correctness", v)
        for (item, cand), row in values.items()
        for w, v in zip("abc", row, strict=True)
        if v is not None
    ]
    ratings.append(RubricRating(1, "a", 1, "style", 3))  # a lone value: no pairable unit
    got = rubric_alpha(ratings)
    data = np.array([[np.nan if v is None else v for v in row] for row in values.values()]).T
    want = krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal")
    assert got["correctness"].alpha == pytest.approx(want, abs=1e-12)
    assert (got["correctness"].units, got["correctness"].pairable_values) == (4, 11)
    assert got["style"].alpha is None and got["style"].units == 0


def test_alpha_is_none_when_all_pairable_values_agree():
    result = krippendorff_alpha([1, 1, 2, 2], ["a", "b", "a", "b"], [3, 3, 3, 3], level="ordinal")
    assert result.alpha is None
    assert (result.units, result.pairable_values, result.annotators) == (2, 4, 2)


def test_two_values_from_one_judge_on_one_unit_are_refused():
    with pytest.raises(InvalidInput):
        krippendorff_alpha([1, 1], ["a", "a"], [1, 2], level="nominal")


def test_pairwise_agreement_counts_shared_units():
    got = [(p.worker_a, p.worker_b, p.agreed, p.n) for p in pairwise_agreement(VOTES)]
    assert got == [("a", "b", 2, 3), ("a", "c", 1, 2), ("b", "c", 1, 2)]
    assert pairwise_agreement(VOTES)[0].percent == pytest.approx(200 / 3)
