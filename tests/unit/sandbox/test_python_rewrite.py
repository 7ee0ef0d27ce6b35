"""Rewriting test asserts into counted assertions (pure text, no sandbox)."""

from __future__ import annotations

from codejury.sandbox.runners.python import rewrite_asserts

TESTS = """def check(candidate):
    assert candidate(1) == 2
    assert candidate(2) == 3, \\
        "two"
    for i in range(3):
        assert (candidate(i)
                == i + 1), f"at {i}"
    x = 1; assert x
    raise ValueError("here")
"""


def test_rewrite_keeps_line_numbers_and_lists_each_assert() -> None:
    text, table = rewrite_asserts(TESTS)
    assert "assert " not in text
    assert len(text.splitlines()) == len(TESTS.splitlines())
    assert [line for line, _ in table] == [2, 3, 6, 8]
    assert table[0][1] == "assert candidate(1) == 2"
    assert table[3][1] == "assert x"
    # the statement after the asserts stays on its line
    assert text.splitlines()[8].strip() == 'raise ValueError("here")'
    compile(text, "<tests>", "exec")


def test_rewrite_leaves_unparsable_tests_alone() -> None:
    assert rewrite_asserts("def check(:\n") == ("def check(:\n", ())


def test_rewrite_skips_asserts_it_cannot_wrap() -> None:
    source = "async def t():\n    assert await g()\n"
    text, table = rewrite_asserts(source)
    assert text == source and table == ()
