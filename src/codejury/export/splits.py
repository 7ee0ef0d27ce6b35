"""Train/test split by task: every row of a task lands in the same split, chosen by hashing its id.

The assignment depends only on the task id and the seed, so it is the same in every export of a
project and adding tasks never moves an old task across. With two or more tasks both splits are kept
non-empty: if hashing sent no task to one side, the task nearest the threshold moves over.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, MutableMapping, Sequence
from typing import Any

from codejury.errors import InvalidInput

TRAIN, TEST = "train", "test"


def task_position(task_id: str, seed: str = "") -> float:
    """A number in [0, 1) fixed by the task id (and seed)."""
    digest = hashlib.sha256(f"{seed}:{task_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_tasks(
    task_ids: Iterable[str], test_fraction: float = 0.1, seed: str = ""
) -> dict[str, str]:
    """``{task_id: "train" | "test"}``; test holds about ``test_fraction`` of the tasks."""
    if not 0 <= test_fraction < 1:
        raise InvalidInput("test fraction must lie in [0, 1)", [f"test_fraction: {test_fraction}"])
    positions = {t: task_position(t, seed) for t in set(task_ids)}
    splits = {t: TEST if p < test_fraction else TRAIN for t, p in positions.items()}
    if len(positions) >= 2 and test_fraction > 0:
        if TEST not in splits.values():
            splits[min(positions, key=positions.__getitem__)] = TEST
        if TRAIN not in splits.values():
            splits[max(positions, key=positions.__getitem__)] = TRAIN
    return splits


def assign_splits(
    rows: Sequence[MutableMapping[str, Any]], test_fraction: float = 0.1, seed: str = ""
) -> dict[str, int]:
    """Set each row's ``split`` column from its ``task_id``; returns rows per split."""
    splits = split_tasks((str(r["task_id"]) for r in rows), test_fraction, seed)
    counts = {TRAIN: 0, TEST: 0}
    for row in rows:
        row["split"] = splits[str(row["task_id"])]
        counts[row["split"]] += 1
    return counts
