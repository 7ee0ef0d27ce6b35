"""The mutation engine on small, hand-checked programs (nothing is executed)."""

from __future__ import annotations

import difflib

import pytest

from codejury.candidates.hashing import normalized_hash
from codejury.candidates.mutation import KINDS, find_sites, mutants_of_kind, plan_mutants

PROGRAM = """def f(xs, n):
    if not xs:
        return 0
    t = 0
    for i in range(1, n - 1):
        if xs[i] < n and xs[-1] == 2:
            t += pow(xs[i], 2)
    return t if n else -1
"""

STRINGS = '''def g(words: list[str]) -> str:
    """Join words longer than 0 letters; see [1]."""
    kept = [w.lower() for w in words if w.startswith("a")]  # keep the a-words
    return " ".join(sorted(kept))
'''


def changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), n=0, lineterm="")
    return [d for d in diff if d[:1] in "+-" and not d.startswith(("+++", "---"))]


def only_change(kind: str, code: str, description: str, line: int | None = None) -> list[str]:
    matches = [
        m
        for m in mutants_of_kind(code, kind)
        if m.description == description and line in (None, m.line)
    ]
    assert len(matches) == 1, [m.description for m in mutants_of_kind(code, kind)]
    return changed_lines(code, matches[0].code)


@pytest.mark.parametrize(
    ("kind", "description", "expected"),
    [
        ("off_by_one_range", "range stop `n - 1` became `n`", "    for i in range(1, n):"),
        ("off_by_one_range", "range start `1` became `0`", "    for i in range(0, n - 1):"),
        ("off_by_one_index", "index `-1` became `-2`", "        if xs[i] < n and xs[-2] == 2:"),
        (
            "comparison_boundary",
            "comparison `<` became `<=`",
            "        if xs[i] <= n and xs[-1] == 2:",
        ),
        ("comparison_flip", "comparison `==` became `!=`", "        if xs[i] < n and xs[-1] != 2:"),
        ("boolean_operator", "`and` became `or`", "        if xs[i] < n or xs[-1] == 2:"),
        ("removed_not", "dropped the `not` in `not xs`", "    if xs:"),
        ("wrong_return", "returns `1` instead of `0`", "        return 1"),
        (
            "swapped_arguments",
            "swapped the arguments `xs[i]` and `2` of `pow`",
            "            t += pow(2, xs[i])",
        ),
        ("swapped_operands", "swapped the operands of `n - 1`", "    for i in range(1, 1 - n):"),
        ("changed_constant", "constant `2` became `3`", "            t += pow(xs[i], 3)"),
        ("arithmetic_operator", "`+=` became `-=`", "            t -= pow(xs[i], 2)"),
        (
            "dropped_condition",
            "dropped the condition `n` (always the first branch)",
            "    return t",
        ),
    ],
)
def test_each_kind_changes_exactly_one_line(kind: str, description: str, expected: str) -> None:
    changes = only_change(
        kind, PROGRAM, description, line=None if kind != "changed_constant" else 7
    )
    assert len(changes) == 2
    assert changes[1] == "+" + expected


def test_dropped_guard_removes_the_whole_if_and_return() -> None:
    changes = only_change("dropped_guard", PROGRAM, "removed the edge case `if not xs: return 0`")
    assert changes == ["-    if not xs:", "-        return 0"]


def test_call_kinds_and_filters_keep_the_rest_of_the_line() -> None:
    lowered = only_change("wrong_function", STRINGS, "`startswith` became `endswith`")
    assert lowered[1].endswith('if w.endswith("a")]  # keep the a-words')
    dropped = only_change("dropped_call", STRINGS, "left out `sorted(...)` around `kept`")
    assert dropped[1] == '+    return " ".join(kept)'
    method = only_change("dropped_call", STRINGS, "left out `.lower()` on `w`")
    assert method[1].startswith("+    kept = [w for w in words")
    unfiltered = only_change(
        "dropped_condition", STRINGS, 'dropped the filter `if w.startswith("a")`'
    )
    assert unfiltered[1] == "+    kept = [w.lower() for w in words]  # keep the a-words"
    spaced = only_change("changed_constant", STRINGS, "constant `\" \"` became `''`")
    assert spaced[1] == "+    return ''.join(sorted(kept))"


def test_docstrings_and_annotations_are_never_mutated() -> None:
    for site in find_sites(STRINGS):
        assert site.line not in (1, 2), site


def test_positions_count_characters_not_bytes() -> None:
    code = 'def h(a, b):\n    s = "ééé"; return a < b\n'
    (mutant,) = mutants_of_kind(code, "comparison_boundary")
    assert mutant.code == 'def h(a, b):\n    s = "ééé"; return a <= b\n'


def test_plan_is_deterministic_and_varies_with_the_seed() -> None:
    first = plan_mutants(PROGRAM, seed=1)
    assert first == plan_mutants(PROGRAM, seed=1)
    assert [m.code for m in first] != [m.code for m in plan_mutants(PROGRAM, seed=2)]


def test_plan_takes_kinds_in_turn_and_never_repeats_a_program() -> None:
    planned = plan_mutants(PROGRAM, seed=0)
    kinds_available = {s.kind for s in find_sites(PROGRAM)}
    head = [m.kind for m in planned[: len(kinds_available)]]
    assert len(set(head)) >= len(kinds_available) - 2  # duplicates of other kinds are skipped
    hashes = [normalized_hash(m.code) for m in planned]
    assert len(set(hashes)) == len(hashes)
    assert normalized_hash(PROGRAM) not in hashes
    for mutant in planned:
        compile(mutant.code, "<m>", "exec")
    assert len(plan_mutants(PROGRAM, limit=3)) == 3


def test_every_kind_is_known_and_nothing_comes_of_broken_code() -> None:
    assert {s.kind for s in find_sites(PROGRAM + STRINGS)} <= set(KINDS)
    assert find_sites("def broken(:\n") == []
    assert plan_mutants("x = 'only a string'\n") == []
