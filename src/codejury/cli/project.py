"""``codejury project``: create, list, show and edit projects."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from codejury.cli.common import console, session
from codejury.errors import InvalidInput
from codejury.projects import (
    create_project,
    current_guidelines,
    current_rubric,
    get_project,
    list_projects,
    update_guidelines,
    update_rubric,
)

project_app = typer.Typer(
    help="Projects: guidelines, rubric, mode, overlap, gold rate.", no_args_is_help=True
)


def _read_rubric(path: Path | None) -> list[dict[str, object]] | None:
    if path is None:
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read the rubric as JSON ({exc})")
    return data if isinstance(data, list) else data.get("criteria")


@project_app.command("create")
def create(
    slug: str = typer.Argument(..., help="Short id: lowercase letters, digits, dashes."),
    name: str | None = typer.Option(None, help="Display name (default: the slug)."),
    guidelines: Path | None = typer.Option(
        None, exists=True, dir_okay=False, help="Markdown file."
    ),
    rubric: Path | None = typer.Option(
        None, exists=True, dir_okay=False, help="JSON list of criteria."
    ),
    mode: str = typer.Option("pairwise", help="pairwise or ranking."),
    k: int | None = typer.Option(None, help="Candidates per item (ranking mode)."),
    overlap: int = typer.Option(3, help="Counted judgments wanted per item."),
    gold_rate: float = typer.Option(0.1, help="Share of gold items mixed into the queue."),
) -> None:
    """Create a project (guidelines and rubric version 1)."""
    with session() as s:
        project = create_project(
            s,
            slug,
            name=name,
            guidelines=guidelines.read_text() if guidelines else None,
            rubric=_read_rubric(rubric),
            mode=mode,
            k=k,
            overlap=overlap,
            gold_rate=gold_rate,
        )
        console.print(
            f"created project [bold]{project.slug}[/bold] ({project.mode}, overlap {project.overlap}, gold rate {project.gold_rate})"
        )


@project_app.command("list")
def list_() -> None:
    """List projects."""
    with session() as s:
        table = Table("slug", "name", "mode", "overlap", "gold rate", "status")
        for p in list_projects(s):
            table.add_row(p.slug, p.name, p.mode, str(p.overlap), f"{p.gold_rate:g}", p.status)
        console.print(table)


@project_app.command("show")
def show(slug: str) -> None:
    """Show a project's settings, current guidelines and rubric."""
    with session() as s:
        p = get_project(s, slug)
        g, r = current_guidelines(s, p), current_rubric(s, p)
        console.print(
            f"[bold]{p.name}[/bold] ({p.slug}) — {p.mode}, k={p.k}, overlap {p.overlap}, gold rate {p.gold_rate:g}, status {p.status}"
        )
        console.print(
            f"guidelines v{g.version}, rubric v{r.version}: "
            + ", ".join(f"{c['name']} ({c['min']}-{c['max']})" for c in r.criteria)
        )
        console.print(g.body, markup=False, highlight=False)


@project_app.command("guidelines")
def guidelines_(slug: str, file: Path = typer.Argument(..., exists=True, dir_okay=False)) -> None:
    """Replace the guidelines (a new version; later work records it)."""
    with session() as s:
        row = update_guidelines(s, get_project(s, slug), file.read_text())
        console.print(f"guidelines now at version {row.version}")


@project_app.command("rubric")
def rubric_(slug: str, file: Path = typer.Argument(..., exists=True, dir_okay=False)) -> None:
    """Replace the rubric (a new version)."""
    with session() as s:
        row = update_rubric(s, get_project(s, slug), _read_rubric(file) or [])
        console.print(f"rubric now at version {row.version}")


def register(app: typer.Typer) -> None:
    app.add_typer(project_app, name="project")
