"""Pay over the API: an annotator's own earnings; a project's pay, rates, statements and payroll CSV
(managers of the project). Money is sent as decimal text, never as a float."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from codejury.db.models import PayStatement
from codejury.errors import InvalidInput
from codejury.pay import store
from codejury.web.api.projects import project_for
from codejury.web.deps import CurrentUser, DbSession
from codejury.wellbeing.dashboard import my_earnings
from codejury.wellbeing.plain import jsonable

router = APIRouter(tags=["pay"])


class RateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    piece_rate: Decimal = Field(..., ge=0)
    hourly_floor: Decimal = Field(..., ge=0)
    currency: str = Field("USD", min_length=3, max_length=3)
    effective_from: datetime | None = None
    bonus_rule: dict[str, Any] | None = None


def _period(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"period: {value!r} is not a date like 2026-11-23", ["period: not a date"]
        )


def _statement(row: PayStatement) -> dict[str, Any]:
    return jsonable(
        {
            "id": row.id,
            "user_id": row.user_id,
            "period_start": row.period_start,
            "period_end": row.period_end,
            "currency": row.currency,
            "paid_hours": (Decimal(str(row.paid_seconds)) / 3600).quantize(Decimal("0.01")),
            "total": row.total.quantize(Decimal("0.01")),
            "status": row.status,
            "issued_at": row.issued_at,
            "content_hash": row.content_hash,
        }
    )


@router.get("/me/earnings")
def earnings(
    session: DbSession, user: CurrentUser, project: str | None = Query(None, max_length=64)
) -> dict[str, Any]:
    """The caller's earnings: pending, approved, issued, paid, effective hourly, hours this week."""
    target = project_for(session, user, project) if project else None
    summary: dict[str, Any] = jsonable(my_earnings(session, user, target))
    return summary


@router.get("/projects/{slug}/pay")
def project_pay(slug: str, session: DbSession, user: CurrentUser) -> dict[str, Any]:
    """Issued pay per annotator: statements, paid hours, total, top-up, effective hourly."""
    project = project_for(session, user, slug, manage=True)
    rows = store.project_pay_summary(session, project)
    return {"project": project.slug, "annotators": jsonable(rows)}


@router.post("/projects/{slug}/pay/rate", status_code=201)
def set_rate(slug: str, body: RateIn, session: DbSession, user: CurrentUser) -> dict[str, Any]:
    """A new version of the pay policy; cuts need notice, raises apply at once."""
    project = project_for(session, user, slug, manage=True)
    when = body.effective_from
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    row = store.set_pay_rate(
        session, project, body.piece_rate, body.hourly_floor, body.currency, when,
        actor=user, bonus_rule=body.bonus_rule,
    )  # fmt: skip
    return jsonable(
        {
            "id": row.id,
            "piece_rate": row.piece_rate,
            "hourly_floor": row.hourly_floor,
            "currency": row.currency,
            "bonus_rule": row.bonus_rule,
            "effective_from": row.effective_from,
        }
    )


@router.post("/projects/{slug}/pay/statements")
def issue(
    slug: str, session: DbSession, user: CurrentUser, period: str = Query(..., max_length=10)
) -> dict[str, Any]:
    """Issue (or return, if already issued) every statement of the week starting ``period``."""
    project = project_for(session, user, slug, manage=True)
    rows = store.issue_statements(session, project, _period(period))
    return {"project": project.slug, "period": period, "statements": [_statement(r) for r in rows]}


@router.get("/projects/{slug}/pay/statements.csv")
def payroll(
    slug: str, session: DbSession, user: CurrentUser, period: str = Query(..., max_length=10)
) -> Response:
    project = project_for(session, user, slug, manage=True)
    text = store.payroll_csv(session, project, _period(period))
    filename = f"payroll-{project.slug}-{period}.csv"
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
