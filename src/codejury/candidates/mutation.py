"""AST-based mutation of Python programs: plausible bugs planted in correct code.

Each mutation kind finds its *sites* in a program (every place it could apply); a site is a small
text edit of the original source, so a mutant differs from its parent only where the bug is:
comments, quotes and layout elsewhere stay as they were. Docstrings and type annotations are never
touched. ``plan_mutants`` orders the mutants of a program deterministically (seeded): kinds take
turns, so the first few mutants are of different kinds. Whether a mutant is really wrong is for the
tests to say (``codejury.candidates.mutants``); this module runs nothing.

Kinds (see docs/candidates.md for an example of each): ``off_by_one_range``, ``off_by_one_index``,
``comparison_boundary``, ``comparison_flip``, ``boolean_operator``, ``removed_not``,
``dropped_guard``, ``wrong_return``, ``swapped_arguments``, ``swapped_operands``,
``changed_constant``, ``arithmetic_operator``, ``dropped_condition``, ``wrong_function``,
``dropped_call``.
"""

from __future__ import annotations

import ast
import random
from collections.abc import Iterator
from dataclasses import dataclass

from codejury.candidates.hashing import normalized_hash
from codejury.candidates.mutation_sites import Edit, Site, SourceMap, site_finders

KINDS = (
    "off_by_one_range",
    "off_by_one_index",
    "comparison_boundary",
    "comparison_flip",
    "boolean_operator",
    "removed_not",
    "dropped_guard",
    "wrong_return",
    "swapped_arguments",
    "swapped_operands",
    "changed_constant",
    "arithmetic_operator",
    "dropped_condition",
    "wrong_function",
    "dropped_call",
)


@dataclass(frozen=True)
class Mutant:
    kind: str
    line: int
    description: str
    code: str


def find_sites(code: str) -> list[Site]:
    """Every site of every kind in ``code``, in source order; [] when the code does not parse."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return []
    source = SourceMap(code)
    skipped = _protected_nodes(tree)
    finders = site_finders()
    sites: list[Site] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        for finder in finders:
            sites.extend(finder(node, source, tree))
    sites.sort(key=lambda s: (s.edits[0].start, s.kind))
    return sites


def _protected_nodes(tree: ast.AST) -> set[int]:
    """Ids of nodes inside annotations and docstrings: mutating them changes nothing that runs."""
    roots: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.annotation is not None:
            roots.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns is not None:
            roots.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            roots.append(node.annotation)
        scopes = ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
        if isinstance(node, scopes) and node.body and _is_docstring(node.body[0]):
            roots.append(node.body[0])
    return {id(n) for root in roots for n in ast.walk(root)}


def _is_docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def apply_site(code: str, site: Site) -> str:
    """``code`` with the site's edits applied (edits never overlap)."""
    out = code
    for edit in sorted(site.edits, key=lambda e: e.start, reverse=True):
        out = out[: edit.start] + edit.text + out[edit.end :]
    return out


def compiles(code: str) -> bool:
    try:
        compile(code, "<mutant>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def plan_mutants(code: str, *, seed: int | str = 0, limit: int | None = None) -> list[Mutant]:
    """Distinct, compiling mutants of ``code``, kinds taking turns; the same input and seed always
    give the same list. At most ``limit`` of them."""
    return list(_iter_mutants(code, seed, limit))


def _iter_mutants(code: str, seed: int | str, limit: int | None) -> Iterator[Mutant]:
    seen = {normalized_hash(code)}
    count = 0
    for site in _round_robin(find_sites(code), random.Random(f"{seed}:{normalized_hash(code)}")):
        if limit is not None and count >= limit:
            return
        mutated = apply_site(code, site)
        digest = normalized_hash(mutated)
        if digest in seen or not compiles(mutated):
            continue
        seen.add(digest)
        count += 1
        yield Mutant(site.kind, site.line, site.description, mutated)


def _round_robin(sites: list[Site], rng: random.Random) -> Iterator[Site]:
    by_kind: dict[str, list[Site]] = {}
    for site in sites:
        by_kind.setdefault(site.kind, []).append(site)
    kinds = [k for k in KINDS if k in by_kind]
    rng.shuffle(kinds)
    for group in by_kind.values():
        rng.shuffle(group)
    depth = max((len(g) for g in by_kind.values()), default=0)
    for i in range(depth):
        for kind in kinds:
            if i < len(by_kind[kind]):
                yield by_kind[kind][i]


def mutants_of_kind(code: str, kind: str) -> list[Mutant]:
    """Every mutant of one kind, in source order (for tests and for showing what a kind does)."""
    found = []
    for site in find_sites(code):
        if site.kind == kind:
            mutated = apply_site(code, site)
            if compiles(mutated) and normalized_hash(mutated) != normalized_hash(code):
                found.append(Mutant(site.kind, site.line, site.description, mutated))
    return found


__all__ = [
    "KINDS",
    "Edit",
    "Mutant",
    "Site",
    "apply_site",
    "compiles",
    "find_sites",
    "mutants_of_kind",
    "plan_mutants",
]
