from __future__ import annotations

import pytest

from codejury.export.consensus import Vote, majority_vote


def test_majority_gives_share_of_votes_and_mean_agreeing_strength() -> None:
    c = majority_vote([Vote("a", (1, 2), 2), Vote("b", (1, 2), 1), Vote("c", (2, 1), 1)])
    assert c is not None
    assert c.ranking == (1, 2)
    assert c.confidence == pytest.approx(2 / 3)
    assert c.strength == pytest.approx(1.5)
    assert not c.tied
    assert c.pairs == [(1, 2)]


def test_even_split_is_tied() -> None:
    c = majority_vote([Vote("a", (1, 2), 1), Vote("b", (2, 1), 1)])
    assert c is not None and c.tied and c.pairs == []


def test_tie_votes_in_majority_make_a_tie() -> None:
    c = majority_vote([Vote("a", (1, 2), 0), Vote("b", (2, 1), 0), Vote("c", (1, 2), 1)])
    assert c is not None and c.tied


def test_k_way_rankings_have_strength_one() -> None:
    c = majority_vote([Vote("a", (3, 1, 2)), Vote("b", (3, 1, 2)), Vote("c", (1, 3, 2))])
    assert c is not None
    assert c.ranking == (3, 1, 2) and c.strength == 1.0
    assert c.confidence == pytest.approx(2 / 3)


def test_no_votes_no_consensus() -> None:
    assert majority_vote([]) is None


def test_dawid_skene_weighs_a_contrarian_judge_down() -> None:
    from codejury.export.consensus import dawid_skene

    # Judges a and b agree on every item; c always says the opposite. On item 9 only c and a vote.
    votes: dict[int, list[Vote]] = {}
    for item in range(8):
        votes[item] = [Vote("a", (1, 2), 1), Vote("b", (1, 2), 2), Vote("c", (2, 1), 1)]
    votes[9] = [Vote("a", (1, 2), 1), Vote("c", (2, 1), 1)]
    votes[10] = [Vote("a", (4, 5, 6)), Vote("b", (4, 5, 6))]
    out = dawid_skene(votes)
    assert out[9].ranking == (1, 2) and not out[9].tied and out[9].confidence > 0.5
    assert majority_vote(votes[9]) is not None and majority_vote(votes[9]).tied  # type: ignore[union-attr]
    assert out[0].strength == pytest.approx(1.5)
    assert out[10].ranking == (4, 5, 6)  # k-way items keep the plurality vote
