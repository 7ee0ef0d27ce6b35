"""Which candidates of one task are judged together: pure functions over plain descriptors.

A *group* is a tuple of candidate ids in ascending order (a pair, or ``k`` candidates for ranking
projects). Display order is not part of a group: it is randomised per assignment.

Strategies:

- ``all``: every group of size k.
- ``random``: a seeded random sample of groups (``per_task`` of them).
- ``model-pairs``: one group per combination of k different sources (models), a seeded random
  candidate of each.
- ``informative``: every group, those whose candidates behave differently under the tests first
  (one passes, another fails), then different failure kinds, then alike. Higher ``priority`` first.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations, islice
from math import comb

from codejury.errors import InvalidInput

STRATEGIES = ("all", "random", "model-pairs", "informative")
FAILING = frozenset({"failed", "error", "timeout", "out_of_memory"})
ENUMERATION_LIMIT = 20_000


@dataclass(frozen=True)
class CandidateInfo:
    id: int
    source: str
    exec_status: str | None = None


@dataclass(frozen=True)
class Group:
    candidate_ids: tuple[int, ...]
    priority: int = 0


def outcome(status: str | None) -> str:
    """``passed``, ``failing`` (failed, error, timeout, out of memory) or ``unknown``."""
    if status == "passed":
        return "passed"
    return "failing" if status in FAILING else "unknown"


def informativeness(members: Sequence[CandidateInfo]) -> int:
    """2: one passes and another fails; 1: known but different statuses; 0: alike or unknown."""
    outcomes = {outcome(c.exec_status) for c in members}
    if {"passed", "failing"} <= outcomes:
        return 2
    statuses = {c.exec_status for c in members if outcome(c.exec_status) != "unknown"}
    return 1 if len(statuses) > 1 else 0


def plan_groups(
    strategy: str,
    candidates: Sequence[CandidateInfo],
    k: int = 2,
    *,
    per_task: int | None = None,
    seed: int | str = 0,
) -> list[Group]:
    """The groups ``strategy`` makes of one task's candidates, at most ``per_task`` of them."""
    if strategy not in STRATEGIES:
        raise InvalidInput(
            "unknown strategy", [f"strategy: {strategy!r} is not one of {', '.join(STRATEGIES)}"]
        )
    if k < 2:
        raise InvalidInput("groups need at least two candidates", [f"k: {k}"])
    if per_task is not None and per_task < 1:
        raise InvalidInput("invalid count", [f"per_task: must be at least 1, got {per_task}"])
    ordered = sorted(candidates, key=lambda c: c.id)
    if len(ordered) < k:
        return []
    rng = random.Random(f"{strategy}:{seed}")
    if strategy == "all":
        groups = [Group(g) for g in islice(_id_groups(ordered, k), per_task)]
    elif strategy == "random":
        groups = [Group(g) for g in _random_groups(ordered, k, per_task, rng)]
    elif strategy == "model-pairs":
        groups = [Group(g) for g in islice(_model_groups(ordered, k, rng), per_task)]
    else:
        groups = _informative_groups(ordered, k, per_task, rng)
    return groups


def _id_groups(ordered: Sequence[CandidateInfo], k: int) -> Iterator[tuple[int, ...]]:
    for members in combinations(ordered, k):
        yield tuple(c.id for c in members)


def _random_groups(
    ordered: Sequence[CandidateInfo], k: int, count: int | None, rng: random.Random
) -> list[tuple[int, ...]]:
    total = comb(len(ordered), k)
    wanted = total if count is None else min(count, total)
    if total <= ENUMERATION_LIMIT:
        return rng.sample(list(_id_groups(ordered, k)), wanted)
    wanted = min(wanted, ENUMERATION_LIMIT)
    ids = [c.id for c in ordered]
    chosen: dict[tuple[int, ...], None] = {}
    while len(chosen) < wanted:
        chosen[tuple(sorted(rng.sample(ids, k)))] = None
    return list(chosen)


def _model_groups(
    ordered: Sequence[CandidateInfo], k: int, rng: random.Random
) -> Iterator[tuple[int, ...]]:
    by_source: dict[str, list[CandidateInfo]] = {}
    for c in ordered:
        by_source.setdefault(c.source, []).append(c)
    for sources in combinations(sorted(by_source), k):
        yield tuple(sorted(rng.choice(by_source[s]).id for s in sources))


def _informative_groups(
    ordered: Sequence[CandidateInfo], k: int, count: int | None, rng: random.Random
) -> list[Group]:
    if comb(len(ordered), k) <= ENUMERATION_LIMIT:
        pool = [tuple(m) for m in combinations(ordered, k)]
    else:
        picked = _random_groups(ordered, k, ENUMERATION_LIMIT, rng)
        index = {c.id: c for c in ordered}
        pool = [tuple(index[i] for i in g) for g in picked]
    scored = [(informativeness(m), rng.random(), tuple(c.id for c in m)) for m in pool]
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [Group(ids, priority=score) for score, _, ids in islice(scored, count)]
