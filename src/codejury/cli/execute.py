"""``codejury execute``: run a project's candidates against their tests in the sandbox."""

from __future__ import annotations

import typer

from codejury.cli.common import console, session, settings


def execute(
    project: str = typer.Argument(..., help="Project slug."),
    force: bool = typer.Option(False, "--force", help="Run every candidate, even unchanged ones."),
    workers: int = typer.Option(0, "--workers", help="Parallel runs; 0: the configured default."),
) -> None:
    """Execute each candidate whose code, tests or runner changed since its last run."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from codejury.sandbox.isolation import SandboxConfig
    from codejury.sandbox.store import execute_project

    config = SandboxConfig.from_settings(settings())
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with session() as s, Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("executing", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        summary = execute_project(
            s, project, workers=workers or None, force=force, progress=advance, config=config
        )
    console.print(
        f"{summary.project}: {summary.executed} executed, {summary.unchanged} unchanged, "
        f"{summary.without_tests} without tests (of {summary.candidates} candidates)"
    )
    for status, count in summary.statuses.items():
        console.print(f"  {status}: {count}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("execute")(execute)
