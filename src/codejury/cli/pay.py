"""``codejury pay``: pay rates, statements, summaries and payroll CSV."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import typer
from rich.table import Table

from codejury.cli.common import console, session
from codejury.errors import InvalidInput

pay_app = typer.Typer(help="Fair pay: rates, statements and summaries.", no_args_is_help=True)


def _date(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{what}: {value!r} is not a date like 2026-11-23")


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"--effective: {value!r} is not a date or date-time (ISO 8601)")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@pay_app.command("rate")
def rate(
    project: str = typer.Argument(..., help="Project slug."),
    piece: str = typer.Option(..., "--piece", help="Pay per accepted judgment, e.g. 0.50."),
    floor: str = typer.Option(..., "--floor", help="Hourly floor, e.g. 12."),
    currency: str = typer.Option("USD", "--currency"),
    effective: str | None = typer.Option(None, "--effective", help="When it applies (UTC)."),
    bonus: str | None = typer.Option(
        None, "--bonus", help='JSON, e.g. {"kind": "gold_accuracy", ...}'
    ),
) -> None:
    """Set a new pay rate. Cuts need notice; raises apply at once."""
    from codejury.pay import store

    with session() as s:
        try:
            rule = json.loads(bonus) if bonus else None
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"--bonus: not valid JSON ({exc.msg})")
        when = _moment(effective) if effective else None
        row = store.set_pay_rate(s, project, piece, floor, currency, when, bonus_rule=rule)
        console.print(
            f"{project}: {row.piece_rate} {row.currency} per accepted judgment, floor "
            f"{row.hourly_floor} {row.currency}/h, from {row.effective_from.isoformat()}"
        )


@pay_app.command("statements")
def statements(
    project: str = typer.Argument(..., help="Project slug."),
    period: str = typer.Option(..., "--period", help="Week start (a Monday), e.g. 2026-11-23."),
) -> None:
    """Issue (or show, if already issued) the statements of one week."""
    from codejury.pay import store

    with session() as s:
        rows = store.issue_statements(s, project, _date(period, "--period"))
        table = Table(title=f"{project}: week of {period}")
        for column in ("statement", "user", "hours", "total", "status"):
            table.add_column(column, justify="right" if column in ("hours", "total") else "left")
        for row in rows:
            hours = f"{row.paid_seconds / 3600:.2f}"
            table.add_row(
                str(row.id), str(row.user_id), hours, f"{row.total:.2f} {row.currency}", row.status
            )
        console.print(table if rows else "nothing owed for this week")


@pay_app.command("summary")
def summary(
    project: str | None = typer.Argument(None, help="Project slug (default: all)."),
) -> None:
    """Issued pay per annotator: hours, total, top-up and effective hourly rate."""
    from sqlalchemy import select

    from codejury.db.models import Project
    from codejury.pay import store

    with session() as s:
        query = select(Project.slug).order_by(Project.slug)
        slugs = [project] if project else list(s.scalars(query))
        for slug in slugs:
            table = Table(title=slug)
            for column in ("annotator", "statements", "hours", "total", "top-up", "per hour"):
                table.add_column(column, justify="left" if column == "annotator" else "right")
            for row in store.project_pay_summary(s, slug):
                hourly = f"{row.effective_hourly}" if row.effective_hourly is not None else "-"
                table.add_row(
                    row.pseudonym,
                    str(row.statements),
                    str(row.paid_hours),
                    f"{row.total} {row.currency}",
                    str(row.topup),
                    hourly,
                )
            console.print(table)


@pay_app.command("csv")
def payroll(
    project: str = typer.Argument(..., help="Project slug."),
    period: str = typer.Option(..., "--period", help="Week start (a Monday)."),
    out: Path | None = typer.Option(None, "--out", help="Write to this file instead of stdout."),
) -> None:
    """Payroll CSV of the statements issued for one week."""
    from codejury.pay import store

    with session() as s:
        text = store.payroll_csv(s, project, _date(period, "--period"))
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text)
        console.print(f"wrote {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(pay_app, name="pay")
