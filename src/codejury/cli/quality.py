"""``codejury quality PROJECT`` prints the quality report; ``codejury quality flags PROJECT``
refreshes the anomaly flags and lists the open ones."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from codejury.cli.common import console, session
from codejury.errors import InvalidInput


def _num(value: float | None, fmt: str = "{:.3f}") -> str:
    return "n/a" if value is None else fmt.format(value)


def _agreement_table(report: Any) -> Table:
    table = Table(title="Agreement (Krippendorff's alpha)")
    for col in ("measure", "alpha", "units", "values", "judges"):
        table.add_column(col, justify="left" if col == "measure" else "right")
    rows = [("preference, ordinal", report.preference_ordinal)]
    rows.append(("preference, nominal", report.preference_nominal))
    rows.extend((f"rubric: {name}", a) for name, a in report.rubric.items())
    for name, a in rows:
        table.add_row(name, _num(a.alpha), str(a.units), str(a.pairable_values), str(a.annotators))
    return table


def _judges_table(report: Any) -> Table:
    table = Table(title=f"Judges (consensus: {report.consensus_method.replace('_', ' ')})")
    for col in (
        "annotator",
        "reliability",
        "votes",
        "gold",
        "accuracy",
        "95% interval",
        "left out",
    ):
        table.add_column(col, justify="left" if col == "annotator" else "right")
    gold = {g.worker: g for g in report.gold}
    reliability = {r.worker: r for r in report.reliability}
    for worker in sorted(set(gold) | set(reliability), key=str):
        r, g = reliability.get(worker), gold.get(worker)
        table.add_row(
            report.names.get(worker, str(worker)),
            _num(r.reliability, "{:.2f}") if r else "",
            str(r.votes) if r else "",
            f"{g.correct}/{g.n}" if g else "",
            _num(g.accuracy, "{:.0%}") if g else "",
            f"{g.low:.0%}–{g.high:.0%}" if g else "",
            str(g.excluded) if g else "",
        )
    return table


def _flags_table(flags: list[Any], names: dict[Any, str]) -> Table:
    table = Table(title="Open flags (each opens a review; none changes pay or access)")
    for col in ("annotator", "kind", "evidence"):
        table.add_column(col)
    for flag in flags:
        evidence = ", ".join(f"{k}={_short(v)}" for k, v in flag.evidence.items())
        table.add_row(names.get(flag.user_id, str(flag.user_id)), flag.kind, evidence)
    return table


def _short(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _report(slug: str) -> None:
    from codejury.projects import get_project
    from codejury.quality.store import open_flags, project_quality

    with session() as s:
        project = get_project(s, slug)
        report = project_quality(s, project)
        flags = open_flags(s, project)
        console.print(
            f"[bold]{project.slug}[/bold]: {report.judgments} judgments by {report.judges} judges"
        )
        console.print(_agreement_table(report))
        console.print(_judges_table(report))
        console.print(_flags_table(flags, report.names))
        console.print(
            f"appeals: {report.appeals_open} open, {report.appeals_overdue} overdue",
            highlight=False,
        )


def _flags(slug: str) -> None:
    from sqlalchemy import select

    from codejury.db.models import User
    from codejury.projects import get_project
    from codejury.quality.store import open_flags, refresh_flags

    with session() as s:
        project = get_project(s, slug)
        added = refresh_flags(s, project)
        flags = open_flags(s, project)
        ids = sorted({f.user_id for f in flags})
        names = {i: n for i, n in s.execute(select(User.id, User.name).where(User.id.in_(ids)))}
        console.print(f"{len(added)} new flag(s); {len(flags)} open")
        console.print(_flags_table(flags, names))


def quality(
    first: str = typer.Argument(..., metavar="PROJECT | flags", help="A project slug, or flags."),
    second: str | None = typer.Argument(None, metavar="[PROJECT]", help="With flags: the slug."),
) -> None:
    """Quality report of a project; `quality flags PROJECT` refreshes and lists the flags."""
    if first == "flags" and second:
        _flags(second)
    elif second is None:
        _report(first)
    else:
        with session():
            raise InvalidInput(f"unknown quality command {first!r}; use PROJECT or flags PROJECT")


def register(app: typer.Typer) -> None:
    app.command("quality")(quality)
