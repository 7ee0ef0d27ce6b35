"""The JavaScript runner inside the real sandbox."""

from __future__ import annotations

import pytest

from codejury.sandbox import SandboxConfig, run

pytestmark = pytest.mark.sandbox

CONFIG = SandboxConfig()
TESTS = """const assert = require('node:assert');
assert.strictEqual(add(1, 2), 3);
assert.deepStrictEqual([add(2, 2)], [4]);
assert(add(0, 0) === 0);
"""


def test_correct_function_passes_with_counted_assertions() -> None:
    result = run("function add(a, b) { return a + b; }", TESTS, "javascript", config=CONFIG)
    assert result.status == "passed", result
    assert (result.tests_passed, result.tests_total) == (3, 3)


def test_wrong_function_fails_at_its_assertion() -> None:
    result = run("function add(a, b) { return a * b; }", TESTS, "js", config=CONFIG)
    assert result.status == "failed"
    assert result.first_failure is not None
    assert result.first_failure.line == 2
    assert result.first_failure.test == "assert.strictEqual(add(1, 2), 3);"
    assert "AssertionError" in result.first_failure.message
    assert (result.tests_passed, result.tests_total) == (0, 1)


def test_syntax_error_and_missing_module() -> None:
    broken = run("function add(a, b) { return a + ; }", TESTS, "javascript", config=CONFIG)
    assert broken.status == "error" and "SyntaxError" in broken.message
    missing = run("const _ = require('lodash');\nfunction add(a, b) { return a + b; }", TESTS, "javascript", config=CONFIG)  # fmt: skip
    assert missing.status == "environment" and "lodash" in missing.message


def test_exception_in_candidate_during_tests_fails() -> None:
    result = run("function add(a, b) { throw new TypeError('nope'); }", TESTS, "javascript", config=CONFIG)  # fmt: skip
    assert result.status == "failed"
    assert result.first_failure is not None and result.first_failure.line == 2
    assert result.first_failure.message == "TypeError: nope"
