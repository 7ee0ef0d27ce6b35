"""``codejury score PROJECT --run RUN_ID``: score candidates with a trained reward model."""

from __future__ import annotations

import typer

from codejury.cli.common import console, session


def score(
    project: str,
    run: int = typer.Option(..., "--run", help="Id of a finished reward model training run."),
    batch_size: int = typer.Option(16, "--batch-size"),
) -> None:
    """Store a score per candidate; report agreement with people and with test results."""
    from codejury.train.store import score_project

    with session() as s:
        report = score_project(s, project, run, batch_size=batch_size)
    console.print(f"{report.candidates} candidates scored with run {report.run_id}")
    for name, acc in (
        ("people (consensus pairs)", report.human),
        ("execution (passed vs failed)", report.execution),
    ):
        if acc.pairs:
            console.print(
                f"agrees with {name}: {acc.accuracy:.3f} "
                f"(95% CI {acc.low:.3f}–{acc.high:.3f}, {acc.pairs} pairs)"
            )
        else:
            console.print(f"agrees with {name}: no pairs")


def register(app: typer.Typer) -> None:
    app.command("score")(score)
