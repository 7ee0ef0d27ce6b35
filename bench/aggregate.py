"""Aggregation at scale: Dawid–Skene and Bradley–Terry (200 bootstrap rounds) on 1,000,000 judgments.

Synthetic data: 50,000 items, about 20 judgments each from 200 annotators, on pairs of candidates
from 20 models with known strengths; annotator accuracy between 0.55 and 0.95. Prints seconds and
peak memory per step.

    .venv/bin/python bench/aggregate.py [--judgments N]
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

from codejury.quality.aggregation import DawidSkeneConsensus, VoteFrame
from codejury.quality.bradley_terry import PairCounts, bradley_terry_with_intervals
from codejury.quality.votes import LABELS


def measure(name: str, step: Callable[[], Any], *, trace: bool = True) -> Any:
    """Run ``step`` timed (wall and CPU), then again under tracemalloc for its peak allocation.

    CPU seconds are printed beside wall seconds because a busy machine stretches the wall clock.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    result = step()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = "-"
    if trace:
        tracemalloc.start()
        step()
        peak = f"{tracemalloc.get_traced_memory()[1] / 2**20:.1f} MiB"
        tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{name:<44} wall {wall:6.2f} s  cpu {cpu:6.2f} s  peak allocated {peak:>10}  "
        f"max RSS so far {rss:.0f} MiB"
    )
    return result


def synthetic(n: int, items: int, models: int, annotators: int, seed: int = 0) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    strength = np.linspace(1.5, -1.5, models)
    item_a = rng.integers(0, models, items)
    item_b = (item_a + rng.integers(1, models, items)) % models
    p_a = 1 / (1 + np.exp(strength[item_b] - strength[item_a]))
    truth = np.where(rng.random(items) < 0.1, 1, np.where(rng.random(items) < p_a, 0, 2))
    item = rng.integers(0, items, n)
    worker = rng.integers(0, annotators, n)
    accuracy = rng.uniform(0.55, 0.95, annotators)
    wrong = (truth[item] + rng.integers(1, 3, n)) % 3
    label = np.where(rng.random(n) < accuracy[worker], truth[item], wrong)
    return {
        "item": item, "worker": worker, "label": label, "a": item_a[item], "b": item_b[item],
        "truth": truth,
    }  # fmt: skip


def dawid_skene(data: dict[str, Any]) -> DawidSkeneConsensus:
    import pandas as pd

    frame = pd.DataFrame(
        {"task": data["item"], "worker": data["worker"], "label": np.array(LABELS)[data["label"]]}
    )
    units = [(int(i), 0, 1) for i in range(int(data["item"].max()) + 1)]
    return DawidSkeneConsensus().fit_frame(VoteFrame(frame, units))


def pair_counts(data: dict[str, Any]) -> PairCounts:
    top = int(max(data["a"].max(), data["b"].max())) + 1
    names = np.array([f"model-{i:02d}" for i in range(top)])
    first_wins = data["label"] != 2
    winners = np.where(first_wins, data["a"], data["b"])
    losers = np.where(first_wins, data["b"], data["a"])
    return PairCounts.from_arrays(names[winners], names[losers], data["label"] == 1)


def candidate_pairs(data: dict[str, Any]) -> PairCounts:
    """The same judgments between candidates (two per item, 100,000 players) instead of models."""
    first_wins = data["label"] != 2
    first, second = 2 * data["item"], 2 * data["item"] + 1
    winners = np.where(first_wins, first, second)
    losers = np.where(first_wins, second, first)
    return PairCounts.from_arrays(winners, losers, data["label"] == 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--judgments", type=int, default=1_000_000)
    parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc reruns")
    args = parser.parse_args()
    start = time.perf_counter()
    import crowdkit.aggregation  # noqa: F401  (imported once, outside the timings)

    print(f"importing crowd-kit: {time.perf_counter() - start:.2f} s")
    data = synthetic(args.judgments, items=50_000, models=20, annotators=200)
    print(f"{args.judgments:,} judgments, 50,000 items, 20 models, 200 annotators")
    trace = not args.no_trace
    ds = measure("Dawid–Skene (crowd-kit)", lambda: dawid_skene(data), trace=trace)
    print(f"  {ds.iterations_} EM iterations, {len(ds.consensus_):,} pairs")
    right = np.mean([LABELS.index(c.label) == data["truth"][c.item] for c in ds.consensus_])
    print(f"  consensus equals the true label on {right:.2%} of items")
    pairs = measure("models: count (pair, outcome) cells", lambda: pair_counts(data), trace=trace)
    ratings = measure(
        "models: Bradley–Terry + 200 bootstrap rounds",
        lambda: bradley_terry_with_intervals(pairs, rounds=200, seed=0),
        trace=trace,
    )
    top = ratings[0]
    print(f"  top {top.name}: {top.strength:.3f} [{top.low:.3f}, {top.high:.3f}] rank {top.rank}")
    cells = measure("candidates: count cells", lambda: candidate_pairs(data), trace=trace)
    measure(
        f"candidates ({cells.n_players:,}): BT + 200 rounds",
        lambda: bradley_terry_with_intervals(cells, rounds=200, seed=0),
        trace=trace,
    )


if __name__ == "__main__":
    main()
