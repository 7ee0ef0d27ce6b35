"""Read-only pay views: an annotator's earnings, a project's pay per annotator, payroll CSV.

Every number comes from stored rows: statements and their lines for what was issued or paid, and
the same plain calculations as the statements for what is pending or approved but not yet issued.
Sums never mix currencies.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from codejury.db.base import utcnow
from codejury.db.models import Judgment, PayLine, PayStatement, Project, User, WorkEvent
from codejury.pay.ledger import JudgmentRecord, unit_entries
from codejury.pay.policy import PayPolicy, default_policy, rate_for
from codejury.pay.records import (
    events_by_user,
    get_project,
    get_user,
    history,
    paid_keys_by_user,
    records_by_user,
)
from codejury.pay.statements import CENT, Period, cents
from codejury.pay.time import paid_time, total_seconds

ZERO = Decimal("0.00")


def _hours(seconds: float) -> Decimal:
    return (Decimal(str(seconds)) / 3600).quantize(Decimal("0.01"))


def _hourly(total: Decimal, seconds: float) -> Decimal | None:
    return cents(total * 3600 / Decimal(str(seconds))) if seconds else None


def _piece(policies: list[PayPolicy], at: datetime) -> Decimal:
    return (rate_for(policies, at) if policies else default_policy(at)).piece_rate


def _unissued(
    records: list[JudgmentRecord], policies: list[PayPolicy], paid: set[str]
) -> dict[str, Any]:
    pending = [r for r in records if r.counts and r.status == "pending" and r.key not in paid]
    approved = [u for u in unit_entries(records) if u.key not in paid]
    return {
        "pending_count": len(pending),
        "pending": cents(sum((_piece(policies, r.leased_at) for r in pending), ZERO)),
        "approved_count": len(approved),
        "approved": cents(sum((_piece(policies, u.leased_at) for u in approved), ZERO)),
    }


def _user_projects(session: Session, user_id: int) -> list[int]:
    ids: set[int] = set()
    for model in (Judgment, WorkEvent, PayStatement):
        query = select(model.project_id).where(model.user_id == user_id).distinct()
        ids.update(p for p in session.scalars(query) if p is not None)
    return sorted(ids)


def _blank(currency: str) -> dict[str, Any]:
    return {
        "currency": currency,
        "pending_count": 0,
        "pending": ZERO,
        "approved_count": 0,
        "approved": ZERO,
        "issued": ZERO,
        "paid": ZERO,
        "paid_seconds": 0.0,
    }


def earnings_summary(
    session: Session,
    user: User | int | str,
    project: Project | int | str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """What an annotator has earned: pending review, approved (not yet on a statement), issued,
    paid, effective hourly rate over issued statements, and paid hours this week (UTC).

    ``{"user_id", "week_start", "hours_this_week", "currencies": [{currency, pending_count,
    pending, approved_count, approved, issued, paid, paid_hours, effective_hourly}]}``
    """
    person = get_user(session, user)
    now = now or utcnow()
    week = Period.week_of(now)
    projects = [get_project(session, project).id] if project is not None else None
    by_currency: dict[str, dict[str, Any]] = {}
    week_seconds = 0
    for project_id in projects or _user_projects(session, person.id):
        policies = history(session, project_id)
        currency = policies[0].currency if policies else default_policy(now).currency
        row = by_currency.setdefault(currency, _blank(currency))
        records = records_by_user(session, project_id, person.id).get(person.id, [])
        paid = paid_keys_by_user(session, project_id).get(person.id, set())
        for key, value in _unissued(records, policies, paid).items():
            row[key] += value
        events = events_by_user(session, project_id, person.id).get(person.id, [])
        week_seconds += total_seconds(s for s in paid_time(events) if s.ended_at in week)
        query = select(PayStatement).where(
            PayStatement.user_id == person.id, PayStatement.project_id == project_id
        )
        for statement in session.scalars(query):
            row["paid" if statement.status == "paid" else "issued"] += statement.total
            row["paid_seconds"] += statement.paid_seconds
    currencies = []
    for row in sorted(by_currency.values(), key=lambda r: r["currency"]):
        seconds = row.pop("paid_seconds")
        row["paid_hours"] = _hours(seconds)
        row["effective_hourly"] = _hourly(row["issued"] + row["paid"], seconds)
        currencies.append(row)
    return {
        "user_id": person.id,
        "week_start": week.start,
        "hours_this_week": _hours(week_seconds),
        "currencies": currencies,
    }


@dataclass(frozen=True)
class AnnotatorPay:
    """One annotator's issued pay in one project, over all statements."""

    user_id: int
    pseudonym: str
    currency: str
    statements: int
    paid_hours: Decimal
    total: Decimal
    topup: Decimal
    effective_hourly: Decimal | None


def project_pay_summary(session: Session, project: Project | int | str) -> list[AnnotatorPay]:
    """Per annotator: statements issued, paid hours, total, top-up and effective hourly rate."""
    project = get_project(session, project)
    query = (
        select(PayStatement, User.pseudonym)
        .join(User, User.id == PayStatement.user_id)
        .where(PayStatement.project_id == project.id)
    )
    rows = list(session.execute(query).tuples())
    topups: dict[int, Decimal] = defaultdict(lambda: ZERO)
    query_t = (
        select(PayLine.statement_id, PayLine.amount)
        .join(PayStatement, PayStatement.id == PayLine.statement_id)
        .where(PayStatement.project_id == project.id, PayLine.kind == "topup")
    )
    for statement_id, amount in session.execute(query_t):
        topups[statement_id] += amount
    grouped: dict[tuple[int, str, str], list[PayStatement]] = defaultdict(list)
    for statement, pseudonym in rows:
        grouped[(statement.user_id, pseudonym, statement.currency)].append(statement)
    result = []
    for (user_id, pseudonym, currency), group in sorted(grouped.items(), key=lambda g: g[0][1]):
        seconds = sum(s.paid_seconds for s in group)
        total = sum((s.total for s in group), ZERO).quantize(CENT)
        topup = sum((topups[s.id] for s in group), ZERO).quantize(CENT)
        result.append(
            AnnotatorPay(
                user_id,
                pseudonym,
                currency,
                len(group),
                _hours(seconds),
                total,
                topup,
                _hourly(total, seconds),
            )
        )
    return result


CSV_COLUMNS = [
    "statement_id",
    "user_id",
    "pseudonym",
    "name",
    "email",
    "period_start",
    "period_end",
    "currency",
    "paid_hours",
    "piece",
    "bonus",
    "topup",
    "correction",
    "restored",
    "total",
    "status",
    "content_hash",
]


def payroll_csv(
    session: Session, project: Project | int | str, period_start: date | datetime
) -> str:
    """The issued statements of one period as CSV, one row per annotator, amounts by line kind."""
    project = get_project(session, project)
    period = Period.starting(period_start)
    query = (
        select(PayStatement, User)
        .join(User, User.id == PayStatement.user_id)
        .where(PayStatement.project_id == project.id, PayStatement.period_start == period.start)
        .order_by(User.pseudonym)
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for statement, person in session.execute(query).tuples():
        sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
        lines = session.scalars(select(PayLine).where(PayLine.statement_id == statement.id))
        for line in lines:
            sums[line.kind] += line.amount
        writer.writerow(
            [
                statement.id,
                person.id,
                person.pseudonym,
                person.name,
                person.email,
                period.start.isoformat(),
                period.end.isoformat(),
                statement.currency,
                _hours(statement.paid_seconds),
                *(
                    sums[k].quantize(CENT)
                    for k in ("piece", "bonus", "topup", "correction", "restored")
                ),
                statement.total.quantize(CENT),
                statement.status,
                statement.content_hash,
            ]
        )
    return out.getvalue()
