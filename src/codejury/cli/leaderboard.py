"""``codejury leaderboard PROJECT``: candidate sources ranked by human judgments (Bradley–Terry)."""

from __future__ import annotations

import json

import typer
from rich.table import Table
from rich.text import Text

from codejury.cli.common import console, session
from codejury.report.leaderboard import Leaderboard


def _ratings_table(board: Leaderboard) -> Table:
    level = round(board.level * 100)
    table = Table(
        title=Text(f"{board.slice} · {board.comparisons} comparisons"), title_justify="left"
    )
    for name in ("rank", "model", "strength", f"{level}% interval", "W-L-T", "n"):
        table.add_column(name, justify="left" if name == "model" else "right")
    for r in board.ratings:
        table.add_row(
            str(r.rank),
            Text(str(r.name)),
            f"{r.strength:+.2f}",
            f"{r.low:+.2f} … {r.high:+.2f}",
            f"{r.wins}-{r.losses}-{r.ties}",
            str(r.n),
        )
    return table


def _matrix_table(board: Leaderboard) -> Table:
    table = Table(title="win rate of row over column (ties half)", title_justify="left")
    table.add_column("")
    for name in board.models:
        table.add_column(Text(name), justify="right")
    for name, rates, games in zip(board.models, board.win_rates, board.games, strict=True):
        cells = ["—" if v is None else f"{v:.2f} ({g})" for v, g in zip(rates, games, strict=True)]
        table.add_row(Text(name), *cells)
    return table


def leaderboard(
    project: str,
    by: str = typer.Option(
        "", "--by", help="Group by 'language', 'kind' or a tag key (e.g. difficulty)."
    ),
    rounds: int = typer.Option(200, "--rounds", help="Bootstrap rounds for the intervals."),
    seed: int = typer.Option(0, "--seed", help="Bootstrap seed (same seed, same numbers)."),
    include_synthetic: bool = typer.Option(
        False, "--include-synthetic", help="Keep synthetic candidates (mutants) in."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for programs."),
) -> None:
    """Rank the models behind the candidates from counted human judgments, with 95% intervals."""
    from codejury.report.store import project_leaderboards

    with session() as s:
        boards = project_leaderboards(
            s, project, by=by or None, rounds=rounds, seed=seed, include_synthetic=include_synthetic
        )
    if as_json:
        typer.echo(json.dumps({"by": by or None, "slices": [b.as_dict() for b in boards]}))
        return
    if not boards:
        console.print("No counted human judgments between different models yet.")
    for board in boards:
        console.print(_ratings_table(board))
        console.print(_matrix_table(board))
    console.print(
        "Rank: 1 + the number of models whose interval lies wholly above; overlapping "
        "intervals share a rank.",
        style="dim",
    )


def register(app: typer.Typer) -> None:
    app.command("leaderboard")(leaderboard)
