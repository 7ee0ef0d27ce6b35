"""ExecutionResult round trip, execution keys and limits: pure data, no sandbox."""

from __future__ import annotations

import json

import pytest

from codejury.errors import InvalidInput
from codejury.sandbox import ExecutionResult, Limits, TestFailure, execution_key


def test_result_round_trips_through_json() -> None:
    result = ExecutionResult(
        status="failed",
        runner="python",
        runner_version="python/h1/Python 3.11",
        tests_passed=2,
        tests_total=3,
        first_failure=TestFailure("assert f(1) == 2", 4, "assertion failed"),
        stdout="hi\n",
        duration_s=0.05,
    )
    again = ExecutionResult.from_dict(json.loads(json.dumps(result.to_dict())))
    assert again == result
    assert again.first_failure == TestFailure("assert f(1) == 2", 4, "assertion failed")


def test_outcome_leaves_out_measurements() -> None:
    a = ExecutionResult(status="passed", duration_s=1.0, cpu_s=0.5, max_rss_mb=20)
    b = ExecutionResult(status="passed", duration_s=2.0, cpu_s=0.7, max_rss_mb=30)
    assert a != b
    assert a.outcome() == b.outcome()


def test_unknown_status_and_fields_are_rejected() -> None:
    with pytest.raises(InvalidInput):
        ExecutionResult(status="great")
    with pytest.raises(InvalidInput, match="unknown execution result fields"):
        ExecutionResult.from_dict({"status": "passed", "colour": "green"})


def test_execution_key_changes_with_every_input() -> None:
    base = ("def f(): pass", "assert f() is None", "python", "f", "python/h1")
    key = execution_key(*base)
    assert len(key) == 64 and key == execution_key(*base)
    for i in range(len(base)):
        changed = list(base)
        changed[i] = (changed[i] or "") + "x"
        assert execution_key(*changed) != key  # type: ignore[arg-type]
    # the parts are length-prefixed: moving text between code and tests changes the key
    assert execution_key("ab", "c", "python", None, "v") != execution_key(
        "a", "bc", "python", None, "v"
    )
    assert execution_key(*base[:2], "Python", *base[3:]) == key


def test_limits_validate_and_derive_cpu() -> None:
    assert Limits(timeout_s=3).cpu_seconds == 4
    assert Limits(timeout_s=1.5, cpu_s=9).cpu_seconds == 9
    with pytest.raises(InvalidInput) as err:
        Limits(timeout_s=0, memory_mb=-1)
    assert len(err.value.problems) == 2
