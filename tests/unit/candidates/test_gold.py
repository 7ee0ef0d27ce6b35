"""Gold answers and their reasons."""

from __future__ import annotations

import pytest

from codejury.candidates.gold import (
    Verified,
    failure_reason,
    gold_answer,
    gold_pairs,
    validate_answer,
)
from codejury.errors import InvalidInput

FAILED = Verified(
    9,
    "failed",
    {"first_failure": {"test": "assert f([1,\n 2]) == 3", "line": 4, "message": "AssertionError"}},
    {"mutation": "comparison_flip", "line": 5, "description": "comparison `<` became `>`"},
)


def test_reason_names_the_failing_test_and_the_change() -> None:
    assert failure_reason(FAILED) == (
        "The losing response fails test `assert f([1, 2]) == 3`: AssertionError. "
        "What is wrong: comparison `<` became `>` (line 5)."
    )


@pytest.mark.parametrize(
    ("status", "result", "expected"),
    [
        ("timeout", {}, "does not finish within the time limit"),
        ("error", {"message": "NameError: name 'x' is not defined"}, "crashes: NameError"),
        ("out_of_memory", None, "runs out of memory"),
    ],
)
def test_reason_for_other_failures(status: str, result: dict | None, expected: str) -> None:
    assert expected in failure_reason(Verified(1, status, result))


def test_gold_answer_ranks_the_correct_one_first_clearly() -> None:
    answer = gold_answer(4, FAILED)
    assert answer["ranking"] == [4, 9]
    assert answer["strength"] == 2
    assert "fails test" in answer["reason"]


def test_gold_pairs_prefer_different_mutation_kinds() -> None:
    wrong = [
        Verified(10, "failed", None, {"mutation": "a"}),
        Verified(11, "failed", None, {"mutation": "a"}),
        Verified(12, "failed", None, {"mutation": "b"}),
    ]
    pairs = gold_pairs([Verified(1, "passed"), Verified(2, "passed")], wrong, count=2, seed=5)
    assert len(pairs) == 2
    assert {(w.source_meta or {})["mutation"] for _, w in pairs} == {"a", "b"}
    assert [c for c, _ in pairs] == [1, 2]
    assert gold_pairs([], wrong, 2) == [] and gold_pairs([Verified(1, "passed")], [], 2) == []
    assert len(gold_pairs([Verified(1, "passed")], wrong, 10)) == 3


def test_validate_answer_accepts_rankings_and_ties() -> None:
    assert validate_answer([3, 7], [7, 3], 1, " clearer names ") == {
        "ranking": [7, 3],
        "strength": 1,
        "reason": "clearer names",
    }
    assert validate_answer([3, 7], None, 0, "both fine")["ranking"] is None


@pytest.mark.parametrize(
    ("ranking", "strength", "reason", "problem"),
    [
        ([3, 8], 1, "x", "ranking: must order exactly"),
        ([3], 1, "x", "ranking: must order exactly"),
        ([3, 7], 3, "x", "strength: must be between 0 and 2"),
        (None, 1, "x", "a tie (no ranking) has strength 0"),
        ([3, 7], 0, "x", "0 means a tie"),
        ([3, 7], 2, "  ", "reason:"),
    ],
)
def test_validate_answer_names_each_problem(ranking, strength, reason, problem) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as caught:
        validate_answer([3, 7], ranking, strength, reason)
    assert any(problem in p for p in caught.value.problems)
