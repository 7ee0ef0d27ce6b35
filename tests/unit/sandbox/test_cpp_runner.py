"""The C++ runner: compile and run inside the real sandbox."""

from __future__ import annotations

import pytest

from codejury.sandbox import SandboxConfig, run

pytestmark = pytest.mark.sandbox

CONFIG = SandboxConfig()
TESTS = """#include <cassert>
int main() {
    assert(add(1, 2) == 3);
    assert(add(2, 2) == 4);
    return 0;
}
"""


def test_correct_function_passes() -> None:
    result = run("int add(int a, int b) { return a + b; }", TESTS, "cpp", config=CONFIG)
    assert result.status == "passed", result
    assert result.exit_code == 0


def test_wrong_function_fails_at_its_assert() -> None:
    result = run("int add(int a, int b) { return a * b; }", TESTS, "c++", config=CONFIG)
    assert result.status == "failed"
    assert result.first_failure is not None
    assert result.first_failure.line == 3
    assert result.first_failure.test == "assert(add(1, 2) == 3);"


def test_compile_error_and_missing_header() -> None:
    broken = run("int add(int a, int b) { return a + ; }", TESTS, "cpp", config=CONFIG)
    assert broken.status == "error"
    assert "solution.cpp:1" in broken.message
    missing = run("#include <boost/any.hpp>\nint add(int a, int b) { return a + b; }", TESTS, "cpp", config=CONFIG)  # fmt: skip
    assert missing.status == "environment" and "boost/any.hpp" in missing.message
