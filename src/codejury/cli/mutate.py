"""``codejury mutate``: plant verified bugs in correct programs (known-wrong candidates)."""

from __future__ import annotations

import typer

from codejury.cli.common import console, session


def mutate(
    project: str = typer.Argument(..., help="Project slug."),
    per_task: int = typer.Option(3, "--per-task", min=1, help="Verified-failing mutants per task."),
    seed: int = typer.Option(0, "--seed", help="Changes which mutants are tried first."),
    workers: int = typer.Option(0, "--workers", help="Parallel sandbox runs; 0: the default."),
) -> None:
    """Plant bugs in each Python task's correct code; keep the mutants its tests reject."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress

    from codejury.candidates.mutants import mutate_project
    from codejury.projects import get_project

    columns = ("{task.description}", BarColumn(), MofNCompleteColumn())
    with session() as s, Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("running mutants", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = mutate_project(
            s, get_project(s, project), per_task=per_task, seed=seed,
            workers=workers or None, progress=advance,
        )  # fmt: skip
    console.print(
        f"{report.mutants_added} mutants added to {report.tasks} tasks "
        f"(average {report.average:.2f}; {report.skipped} tasks skipped: not Python or no tests)"
    )
    short = [t for t, c in report.per_task.items() if c < per_task]
    if short:
        console.print(f"{len(short)} tasks got fewer than {per_task}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("mutate")(mutate)
