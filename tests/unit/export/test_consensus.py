"""The export takes its consensus from ``codejury.quality``; these check the adapter's rows."""

from __future__ import annotations

import pytest

from codejury.errors import InvalidInput
from codejury.export.consensus import Consensus, pair_consensus
from codejury.quality.aggregation import DawidSkeneConsensus, MajorityVoteConsensus
from codejury.quality.votes import PreferenceVote, votes_from_judgment


def judged(
    item: int, worker: str, ranking: tuple[int, ...], strength: int | None = 1
) -> list[PreferenceVote]:
    return votes_from_judgment(item, worker, ranking, strength, ranking)


def votes_of(*judgments: list[PreferenceVote]) -> list[PreferenceVote]:
    return [v for j in judgments for v in j]


def test_two_against_one_exports_the_majority_with_quality_confidence() -> None:
    votes = votes_of(judged(1, "a", (2, 1), 2), judged(1, "b", (2, 1), 1), judged(1, "c", (1, 2)))
    method, out = pair_consensus(votes, "majority")
    [quality] = MajorityVoteConsensus().fit(votes).consensus_
    assert method == "majority_vote"
    assert out == {1: [Consensus((2, 1), quality.confidence, 1.5, 3)]}
    assert quality.label == "second" and quality.confidence == pytest.approx(2 / 3)
    assert out[1][0].pairs == [(2, 1)]


def test_tie_majority_gives_no_pair() -> None:
    votes = votes_of(judged(1, "a", (1, 2), 0), judged(1, "b", (2, 1), 0), judged(1, "c", (1, 2)))
    assert MajorityVoteConsensus().fit(votes).consensus_[0].label == "tie"
    assert pair_consensus(votes, "majority")[1] == {}


def test_even_majority_split_is_undecided() -> None:
    votes = votes_of(judged(1, "a", (1, 2)), judged(1, "b", (2, 1)))
    assert MajorityVoteConsensus().fit(votes).consensus_[0].confidence == pytest.approx(0.5)
    assert pair_consensus(votes, "majority")[1] == {}


def test_k_way_items_expand_to_pairs_with_their_own_confidence() -> None:
    votes = votes_of(
        judged(5, "a", (3, 1, 2)), judged(5, "b", (3, 1, 2)), judged(5, "c", (1, 3, 2))
    )
    _, out = pair_consensus(votes, "majority")
    got = {c.ranking: round(c.confidence, 6) for c in out[5]}
    assert got == {(3, 1): round(2 / 3, 6), (3, 2): 1.0, (1, 2): 1.0}
    assert all(c.strength == 1.0 and c.votes == 3 for c in out[5])


def test_dawid_skene_weighs_a_contrarian_judge_down() -> None:
    # Judges a and b agree on every item; c always says the opposite. On item 9 only a and c vote.
    votes: list[PreferenceVote] = []
    for item in range(8):
        votes += votes_of(
            judged(item, "a", (1, 2)), judged(item, "b", (1, 2), 2), judged(item, "c", (2, 1))
        )
    votes += votes_of(judged(9, "a", (1, 2)), judged(9, "c", (2, 1)))
    method, out = pair_consensus(votes, "dawid-skene")
    ds = {c.item: c for c in DawidSkeneConsensus().fit(votes).consensus_}
    assert method == "dawid_skene"
    assert out[9][0].ranking == (1, 2) and out[9][0].confidence == pytest.approx(ds[9].confidence)
    assert out[9][0].confidence > 0.5
    assert 9 not in pair_consensus(votes, "majority")[1]  # a bare majority cannot decide it
    assert out[0][0].strength == pytest.approx(1.5)


def test_auto_follows_the_quality_rule() -> None:
    few = votes_of(judged(1, "a", (1, 2)), judged(1, "b", (1, 2)))
    assert pair_consensus(few)[0] == "majority_vote"
    many: list[PreferenceVote] = []
    for item in range(10):
        many += votes_of(*(judged(item, w, (1, 2)) for w in "abc"))
    assert pair_consensus(many)[0] == "dawid_skene"
    assert pair_consensus([]) == ("none", {})


def test_unknown_method_is_refused() -> None:
    with pytest.raises(InvalidInput, match="unknown consensus method"):
        pair_consensus(judged(1, "a", (1, 2)), "plurality")
