"""``codejury report …``: reports on the models (``weakness``); other reports attach to
``report_app``."""

from __future__ import annotations

import json

import typer
from rich.table import Table
from rich.text import Text

from codejury.cli.common import console, session
from codejury.report.weakness import SliceReport, WeaknessReport, report_dict

report_app = typer.Typer(help="Reports: where a model is weak, and more.", no_args_is_help=True)


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _table(title: str, columns: tuple[str, ...]) -> Table:
    table = Table(title=Text(title), title_justify="left")
    table.add_column("slice", no_wrap=True)
    for name in columns:
        table.add_column(name, justify="left" if name == "top errors" else "right")
    return table


def _slices_table(report: WeaknessReport) -> Table:
    table = _table(
        f"{report.model}: slices, weakest first",
        ("judgments", "win rate", "95% interval", "weight", "plan"),
    )
    for s in [report.overall, *report.slices]:
        table.add_row(
            Text(s.slice),
            str(s.judgments),
            _rate(s.win_rate),
            f"{s.low:.2f}–{s.high:.2f}",
            f"{s.weight:.3f}",
            str(report.plan[s.slice]) if s.slice in report.plan else "",
        )
    return table


def _evidence_table(report: WeaknessReport) -> Table:
    table = _table("tests and errors", ("items", "tests pass", "prefers failing", "top errors"))
    for s in [report.overall, *report.slices]:
        table.add_row(*_evidence_cells(s))
    return table


def _evidence_cells(s: SliceReport) -> list[str | Text]:
    d = s.disagreement
    errors = ", ".join(f"{category} {n}" for category, n in s.errors)
    return [
        Text(s.slice),
        str(s.items),
        f"{s.passed}/{s.executed}" if s.executed else "—",
        f"{d.failing_preferred}/{d.mixed}" if d.mixed else "—",
        Text(errors or "—"),
    ]


def weakness(
    project: str,
    model: str = typer.Option(..., "--model", help="The candidate source to report on."),
    budget: int = typer.Option(500, "--budget", help="New items to plan for the next round."),
    min_judgments: int = typer.Option(
        30, "--min-judgments", help="Slices with fewer judgments always get items (exploration)."
    ),
    include_synthetic: bool = typer.Option(False, "--include-synthetic"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for programs."),
) -> None:
    """Slices where MODEL loses, disagreements with the tests, and a next-round plan."""
    from codejury.report.store import model_weakness

    with session() as s:
        report = model_weakness(
            s,
            project,
            model,
            budget=budget,
            min_judgments=min_judgments,
            include_synthetic=include_synthetic,
        )
    if as_json:
        typer.echo(json.dumps(report_dict(report)))
        return
    console.print(_slices_table(report))
    console.print(_evidence_table(report))
    console.print(
        f"Plan: {report.budget} new items by (1 − win rate) × interval width; slices with fewer "
        f"than {report.min_judgments} judgments get at least one. 'prefers failing': people "
        "preferred the candidate that fails its tests, of pairs where exactly one passes.",
        style="dim",
    )


report_app.command("weakness")(weakness)


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
