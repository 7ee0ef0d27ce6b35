"""``codejury report transparency PROJECT``: the per-project transparency report."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from codejury.cli.common import console, session


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def transparency(
    project: str = typer.Argument(..., help="Project slug."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Effective hourly p10/p50/p90, share topped up, rejection, appeal and reversal rates,
    median days to payment, all computed from stored rows."""
    from codejury.pay.records import get_project
    from codejury.wellbeing.plain import jsonable
    from codejury.wellbeing.project_pay import project_transparency

    with session() as s:
        report = project_transparency(s, get_project(s, project))
    if as_json:
        typer.echo(json.dumps(jsonable(report), indent=2))
        return
    table = Table(title=f"{project}: transparency")
    table.add_column("measure")
    table.add_column("value", justify="right")
    hourly = " / ".join(
        "—" if v is None else str(v)
        for v in (report.hourly_p10, report.hourly_p50, report.hourly_p90)
    )
    rows = [
        ("statements (annotators)", f"{report.statements} ({report.annotators})"),
        (f"effective hourly p10 / p50 / p90 {' '.join(report.currencies)}", hourly),
        ("share topped up", f"{_pct(report.share_topped_up)} ({report.topped_up})"),
        ("rejection rate", f"{_pct(report.rejection_rate)} ({report.rejected}/{report.judgments})"),
        (
            "appeal rate",
            f"{_pct(report.appeal_rate)} ({report.appeals}/{report.appealable_reviews})",
        ),
        (
            "reversal rate",
            f"{_pct(report.reversal_rate)} ({report.granted_appeals}/{report.decided_appeals})",
        ),
        (
            "median days to payment",
            "—" if report.median_days_to_payment is None else str(report.median_days_to_payment),
        ),
    ]
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)


def register(app: typer.Typer) -> None:
    from codejury.cli.report import report_app

    report_app.command("transparency")(transparency)
