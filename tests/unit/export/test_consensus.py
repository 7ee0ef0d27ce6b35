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
