"""``codejury train reward|dpo``: train on an export and record the run."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import typer

from codejury.cli.common import console, session, settings

train_app = typer.Typer(
    help="Train reward models and DPO policies on exports.", no_args_is_help=True
)

EXPORT = typer.Argument(..., help="Export id (exp_…) or a dataset folder or file.")
OUT = typer.Option(
    None, "--out", "-o", help="Model folder (default: <data dir>/runs/<kind>-<time>)."
)


def _out(out: Path | None, kind: str) -> Path:
    if out is not None:
        return out
    return settings().data_dir / "runs" / f"{kind}-{datetime.now():%Y%m%d-%H%M%S}"


@train_app.command("reward")
def reward(
    export: str = EXPORT,
    base_model: str | None = typer.Option(
        None, "--base-model", help="Model path or id (default: the bundled MiniLM encoder)."
    ),
    epochs: float = typer.Option(1.0, "--epochs"),
    lr: float = typer.Option(5e-5, "--lr"),
    batch_size: int = typer.Option(8, "--batch-size"),
    max_steps: int = typer.Option(
        -1, "--max-steps", help="Stop after this many steps (-1: epochs)."
    ),
    max_length: int = typer.Option(512, "--max-length", help="Longer pairs are left out by TRL."),
    out: Path | None = OUT,
) -> None:
    """Train a reward model (TRL RewardTrainer) and report held-out pairwise accuracy."""
    from codejury.train.data import default_base_model
    from codejury.train.reward import RewardTrainingConfig, train_reward
    from codejury.train.store import resolve_export, run_training

    with session() as s:
        row, path = resolve_export(s, export)
        config = RewardTrainingConfig(
            dataset=path,
            output_dir=_out(out, "reward"),
            base_model=base_model or default_base_model(),
            epochs=epochs,
            learning_rate=lr,
            batch_size=batch_size,
            max_steps=max_steps,
            max_length=max_length,
        )
        run = run_training(s, "reward", row, config, train_reward)
        m = run.metrics
        console.print(
            f"run {run.id}: held-out accuracy {m['accuracy']:.3f} "
            f"(95% CI {m['ci_low']:.3f}–{m['ci_high']:.3f}, {m['test_pairs']} pairs)"
        )
        console.print(
            f"{m['pairs_per_second']} pairs/s, {m['minutes']} min; "
            f"{m['dropped_train']} training pairs longer than {max_length} tokens left out"
        )
        console.print(f"model saved to {run.output_path}")


@train_app.command("dpo")
def dpo(
    export: str = EXPORT,
    base_model: str = typer.Option(..., "--base-model", help="Causal language model path or id."),
    epochs: float = typer.Option(1.0, "--epochs"),
    lr: float = typer.Option(5e-6, "--lr"),
    batch_size: int = typer.Option(4, "--batch-size"),
    max_steps: int = typer.Option(-1, "--max-steps"),
    max_length: int = typer.Option(512, "--max-length"),
    beta: float = typer.Option(0.1, "--beta", help="Strength of the pull towards the reference."),
    lora: bool = typer.Option(False, "--lora", help="Train LoRA adapters instead of all weights."),
    out: Path | None = OUT,
) -> None:
    """Train a policy with DPO (TRL DPOTrainer) and record the run."""
    from codejury.train.dpo import DPOTrainingConfig, train_dpo
    from codejury.train.store import resolve_export, run_training

    with session() as s:
        row, path = resolve_export(s, export)
        config = DPOTrainingConfig(
            dataset=path,
            output_dir=_out(out, "dpo"),
            base_model=base_model,
            epochs=epochs,
            learning_rate=lr,
            batch_size=batch_size,
            max_steps=max_steps,
            max_length=max_length,
            beta=beta,
            lora=lora,
        )
        run = run_training(s, "dpo", row, config, train_dpo)
        console.print(f"run {run.id}: {json.dumps(run.metrics.get('eval', {}))}")
        console.print(f"model saved to {run.output_path}")


def register(app: typer.Typer) -> None:
    app.add_typer(train_app, name="train")
