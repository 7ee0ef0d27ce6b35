"""Pairing strategies over plain candidate descriptors."""

from __future__ import annotations

from itertools import combinations

import pytest

from codejury.candidates.pairing import CandidateInfo, informativeness, plan_groups
from codejury.errors import InvalidInput

# Two models with two samples each, a reference and a mutant-like failure.
CANDS = [
    CandidateInfo(1, "reference", "passed"),
    CandidateInfo(2, "model-a", "passed"),
    CandidateInfo(3, "model-a", "failed"),
    CandidateInfo(4, "model-b", "timeout"),
    CandidateInfo(5, "model-b", "passed"),
    CandidateInfo(6, "model-c", None),
]


def ids(groups: list) -> list[tuple[int, ...]]:
    return [g.candidate_ids for g in groups]


def test_all_pairs_and_all_triples() -> None:
    assert ids(plan_groups("all", CANDS)) == list(combinations(range(1, 7), 2))
    assert len(plan_groups("all", CANDS, k=3)) == 20
    assert ids(plan_groups("all", CANDS, per_task=2)) == [(1, 2), (1, 3)]


def test_groups_are_sorted_and_unique_whatever_the_input_order() -> None:
    shuffled = list(reversed(CANDS))
    for strategy in ("all", "random", "model-pairs", "informative"):
        groups = ids(plan_groups(strategy, shuffled, k=2, seed=3))
        assert all(list(g) == sorted(g) for g in groups)
        assert len(set(groups)) == len(groups)


def test_random_is_a_seeded_sample() -> None:
    first = ids(plan_groups("random", CANDS, per_task=4, seed=7))
    assert len(first) == 4
    assert first == ids(plan_groups("random", CANDS, per_task=4, seed=7))
    assert set(first) <= set(combinations(range(1, 7), 2))
    others = {tuple(ids(plan_groups("random", CANDS, per_task=4, seed=s))) for s in range(10)}
    assert len(others) > 1


def test_model_pairs_give_one_pair_per_pair_of_sources() -> None:
    groups = ids(plan_groups("model-pairs", CANDS, seed=1))
    source = {c.id: c.source for c in CANDS}
    assert len(groups) == 6  # 4 sources: reference, model-a, model-b, model-c
    pairs = {frozenset(source[i] for i in g) for g in groups}
    assert len(pairs) == 6 and all(len(p) == 2 for p in pairs)


def test_informative_puts_pass_against_fail_first() -> None:
    groups = plan_groups("informative", CANDS, seed=0)
    scores = [g.priority for g in groups]
    assert scores == sorted(scores, reverse=True)
    status = {c.id: c.exec_status for c in CANDS}
    head = [g for g in groups if g.priority == 2]
    assert len(head) == 3 * 2  # {1, 2, 5} passing x {3, 4} failing
    for g in head:
        assert {"passed"} < {status[i] for i in g.candidate_ids}
    assert ids(plan_groups("informative", CANDS, per_task=2, seed=0)) == ids(head[:2])


def test_informativeness_levels() -> None:
    assert informativeness([CANDS[0], CANDS[2]]) == 2
    assert informativeness([CANDS[2], CANDS[3]]) == 1  # failed vs timeout
    assert informativeness([CANDS[0], CANDS[1]]) == 0
    assert informativeness([CANDS[0], CANDS[5]]) == 0  # unknown outcome


def test_too_few_candidates_give_nothing_and_bad_arguments_are_refused() -> None:
    assert plan_groups("all", CANDS[:2], k=3) == []
    with pytest.raises(InvalidInput, match="unknown strategy"):
        plan_groups("best", CANDS)
    with pytest.raises(InvalidInput):
        plan_groups("all", CANDS, per_task=0)
    with pytest.raises(InvalidInput):
        plan_groups("all", CANDS, k=1)


def test_large_random_samples_do_not_enumerate_everything() -> None:
    many = [CandidateInfo(i, f"m{i % 5}", "passed") for i in range(200)]
    groups = ids(plan_groups("random", many, k=4, per_task=50, seed=1))
    assert len(groups) == len(set(groups)) == 50
