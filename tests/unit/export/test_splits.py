from __future__ import annotations

import pytest

from codejury.errors import InvalidInput
from codejury.export.splits import assign_splits, split_tasks


def test_split_is_by_task_and_deterministic() -> None:
    rows = [{"task_id": f"t{i % 40}", "n": i} for i in range(400)]
    counts = assign_splits(rows, test_fraction=0.25)
    by_task: dict[str, set[str]] = {}
    for row in rows:
        by_task.setdefault(row["task_id"], set()).add(row["split"])
    assert all(len(s) == 1 for s in by_task.values())
    assert counts["train"] + counts["test"] == 400
    assert 0 < counts["test"] < 400
    assert split_tasks([f"t{i}" for i in range(40)], 0.25) == split_tasks(
        [f"t{i}" for i in reversed(range(40))], 0.25
    )


def test_test_share_follows_fraction_roughly() -> None:
    splits = split_tasks([f"task-{i}" for i in range(2000)], 0.1)
    share = sum(v == "test" for v in splits.values()) / 2000
    assert 0.07 < share < 0.13


def test_small_exports_get_a_non_empty_test_split() -> None:
    splits = split_tasks(["a", "b"], 0.1)
    assert sorted(splits.values()) == ["test", "train"]
    assert split_tasks(["only"], 0.1) == {"only": "train"}


def test_adding_tasks_never_moves_old_ones() -> None:
    old = split_tasks([f"t{i}" for i in range(100)], 0.2)
    new = split_tasks([f"t{i}" for i in range(300)], 0.2)
    assert all(new[t] == s for t, s in old.items())


def test_bad_fraction_is_refused() -> None:
    with pytest.raises(InvalidInput):
        split_tasks(["a"], 1.0)
