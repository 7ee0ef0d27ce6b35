"""``codejury tasks``: look at a project's tasks."""

from __future__ import annotations

from collections import Counter

import typer
from rich.table import Table

from codejury.cli.common import console, session
from codejury.projects import get_project
from codejury.tasks.stats import task_stats

tasks_app = typer.Typer(help="Inspect tasks.", no_args_is_help=True)


def _table(title: str, counts: Counter[str]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(title.split()[-1])
    table.add_column("count", justify="right")
    for key, n in counts.most_common():
        table.add_row(key, str(n))
    return table


@tasks_app.command("stats")
def stats(project: str) -> None:
    """Counts by kind, language, tag and candidate source."""
    with session() as s:
        st = task_stats(s, get_project(s, project))
    console.print(
        f"[bold]{st.tasks}[/bold] tasks, {st.candidates} candidates, {st.items} items ({st.gold_items} gold)"
    )
    for title, counts in (
        ("by kind", st.by_kind),
        ("by language", st.by_language),
        ("by tag", st.by_tag),
        ("candidates by source", st.by_source),
        ("candidates by execution status", st.by_exec_status),
    ):
        if counts:
            console.print(_table(title, counts))


def register(app: typer.Typer) -> None:
    app.add_typer(tasks_app, name="tasks")
