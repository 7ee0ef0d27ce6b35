import pytest
from hypothesis import given
from hypothesis import strategies as st

from codejury.errors import InvalidInput
from codejury.quality.votes import (
    PreferenceVote,
    RubricRating,
    gold_labels,
    ratings_from_judgment,
    votes_from_judgment,
)


def test_pairwise_judgment_becomes_one_vote_in_candidate_terms():
    # Candidate 9 shown first and judged much better than candidate 4.
    [vote] = votes_from_judgment(1, "ann", [9, 4], 2, [9, 4], seconds=30.0)
    assert vote == PreferenceVote(1, "ann", 4, 9, "second", 2, 9, 30.0)
    assert vote.signed == -2
    assert vote.winner == 9


def test_tie_has_no_winner_and_signed_zero():
    [vote] = votes_from_judgment(1, "ann", [4, 9], 0, [9, 4])
    assert (vote.label, vote.strength, vote.signed, vote.winner) == ("tie", 0, 0, None)
    assert vote.shown_first == 9


def test_skip_gives_no_votes():
    assert votes_from_judgment(1, "ann", None, None, [1, 2]) == []


def test_k_way_ranking_expands_to_every_pair_with_strength_one():
    votes = votes_from_judgment(5, 7, [3, 1, 2], None, [2, 3, 1])
    got = {(v.first, v.second): (v.label, v.strength, v.shown_first) for v in votes}
    assert got == {
        (1, 3): ("second", 1, 3),
        (2, 3): ("second", 1, 2),
        (1, 2): ("first", 1, 2),
    }


@pytest.mark.parametrize(("ranking", "strength"), [([1, 1], 1), ([1], 1), ([1, 2], 3)])
def test_bad_judgments_are_refused(ranking, strength):
    with pytest.raises(InvalidInput):
        votes_from_judgment(1, 1, ranking, strength, [1, 2])


def test_gold_labels_cover_ties_and_rankings():
    assert gold_labels({"ranking": None, "strength": 0}, [3, 1]) == {(1, 3): "tie"}
    assert gold_labels({"ranking": [3, 1], "strength": 2}, [1, 3]) == {(1, 3): "second"}
    assert gold_labels({"ranking": [3, 1], "strength": 0}, [1, 3]) == {(1, 3): "tie"}
    assert gold_labels({"ranking": [2, 3, 1]}, [1, 2, 3]) == {
        (2, 3): "first",
        (1, 2): "second",
        (1, 3): "second",
    }


def test_ratings_flatten_json_keys_and_skip_blanks():
    rows = ratings_from_judgment(
        1, "ann", {"4": {"correct": 3, "style": None}, "9": {"correct": 5}}
    )
    assert rows == [
        RubricRating(1, "ann", 4, "correct", 3.0),
        RubricRating(1, "ann", 9, "correct", 5.0),
    ]


@given(st.permutations([11, 12, 13]), st.permutations([11, 12, 13]))
def test_labels_do_not_depend_on_display_order(ranking, shown):
    votes = votes_from_judgment(1, "a", ranking, None, shown)
    plain = votes_from_judgment(1, "a", ranking, None, [11, 12, 13])
    assert [(v.first, v.second, v.label) for v in votes] == [
        (v.first, v.second, v.label) for v in plain
    ]
    for v in votes:
        assert v.shown_first == min((v.first, v.second), key=shown.index)
        assert (v.winner == v.first) == (ranking.index(v.first) < ranking.index(v.second))
