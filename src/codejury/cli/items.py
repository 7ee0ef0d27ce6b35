"""``codejury items``: group candidates into items (pairs or k-way) and mix in gold."""

from __future__ import annotations

import typer

from codejury.cli.common import console, session


def items(
    project: str = typer.Argument(..., help="Project slug."),
    strategy: str = typer.Option(
        "informative", "--strategy", help="all | random | model-pairs | informative"
    ),
    per_task: int | None = typer.Option(None, "--per-task", min=1, help="Most items per task."),
    gold: int = typer.Option(
        1, "--gold", min=0, help="Gold pairs per task, where a verified mutant exists."
    ),
    seed: int = typer.Option(0, "--seed"),
    include_mutants: bool | None = typer.Option(
        None,
        "--include-mutants/--no-mutants",
        help="Pair mutants in work items: always, never, or (default) only for tasks with fewer than two other candidates.",
    ),
) -> None:
    """Create the items of a project; re-running never duplicates an item."""
    from codejury.candidates.store import build_items, create_gold_items
    from codejury.projects import get_project

    with session() as s:
        chosen = get_project(s, project)
        built = build_items(
            s, chosen, strategy, per_task=per_task, seed=seed, include_synthetic=include_mutants
        )
        golden = create_gold_items(s, chosen, per_task=gold, seed=seed) if gold else None
    console.print(
        f"{built.created} items created ({built.existing} existed) over {built.tasks} tasks"
    )
    if golden is not None:
        console.print(f"{golden.created} gold items created ({golden.existing} existed)")


def mark_gold(
    item: int = typer.Argument(..., help="Item id."),
    ranking: str | None = typer.Option(
        None, "--ranking", help="Candidate ids best first, e.g. 12,7; omit for a tie."
    ),
    strength: int = typer.Option(
        2, "--strength", min=0, max=2, help="0 tie, 1 better, 2 much better."
    ),
    reason: str = typer.Option(..., "--reason", help="Shown to annotators as feedback."),
) -> None:
    """Make an item gold with a known answer."""
    from codejury.candidates.store import mark_gold as mark
    from codejury.errors import InvalidInput

    with session() as s:
        try:
            order = [int(x) for x in ranking.split(",")] if ranking else None
        except ValueError:
            raise InvalidInput("invalid ranking", [f"--ranking: {ranking!r} is not a list of ids"])
        marked = mark(s, item, order, 0 if order is None else strength, reason)
    console.print(f"item {marked.id} is gold: {marked.gold_answer}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("items")(items)
    app.command("mark-gold")(mark_gold)
