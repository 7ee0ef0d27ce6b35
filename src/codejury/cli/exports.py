"""``codejury export``: the command group for everything that leaves the studio."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from codejury.cli.common import err_console, session
from codejury.projects import get_project
from codejury.tasks.exporter import write_tasks

export_app = typer.Typer(
    help="Export tasks, preferences, ratings and error spans.", no_args_is_help=True
)


@export_app.command("tasks")
def tasks(
    project: str,
    file: Path | None = typer.Argument(None, help="Output JSONL (default: standard output)."),
) -> None:
    """Write the project's tasks with their candidates and execution results, in the import format."""
    with session() as s:
        p = get_project(s, project)
        if file is None:
            n = write_tasks(s, p, sys.stdout)
        else:
            tmp = file.with_name(file.name + ".part")
            with tmp.open("w", encoding="utf-8") as out:
                n = write_tasks(s, p, out)
            tmp.replace(file)
        err_console.print(f"{n} tasks written")


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")
