"""What an annotator sees about themselves: earnings, hours and caps, gold accuracy with every
missed gold item and its reason, review decisions and appeals, each project's purpose card, and
their sensitive-content opt-ins. The page ``/me`` and ``GET /api/v1/me/dashboard`` show this dict.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from codejury.accounts import projects_of
from codejury.db.base import utcnow
from codejury.db.models import Item, Project, User
from codejury.pay.statements import CENT
from codejury.pay.store import earnings_summary
from codejury.quality.gold import gold_accuracy
from codejury.quality.review import reviews_of
from codejury.quality.store import gold_results
from codejury.wellbeing.sensitive import all_labels, opted_in, project_labels, tag_entries
from codejury.wellbeing.store import break_due, worked_hours

MONEY_KEYS = ("pending", "approved", "issued", "paid")


def earnings_view(summary: dict[str, Any]) -> dict[str, Any]:
    """``earnings_summary`` with its amounts in whole cents (statements are whole cents, so
    nothing is lost), as the dashboard, the API and the manager's pay page show them."""
    currencies = [
        {k: (v.quantize(CENT) if k in MONEY_KEYS else v) for k, v in row.items()}
        for row in summary["currencies"]
    ]
    return {**summary, "currencies": currencies}


def my_earnings(
    session: Session, user: User, project: Project | None = None, now: datetime | None = None
) -> dict[str, Any]:
    return earnings_view(earnings_summary(session, user, project, now=now))


def purpose_card(project: Project) -> dict[str, Any]:
    purpose = project.purpose or {}
    return {
        "uses": purpose.get("uses") or None,
        "users": purpose.get("users") or None,
        "retention": purpose.get("retention") or None,
        "publishable": purpose.get("publishable"),
        "contact": project.contact,
    }


def gold_view(session: Session, user: User, project: Project) -> dict[str, Any]:
    """The annotator's gold accuracy in a project and each gold item they missed, with its reason."""
    results = gold_results(session, project, user.id)
    summary = next(iter(gold_accuracy(results)), None)
    missed = [r for r in results if not r.correct and r.counts]
    items = {}
    if missed:
        query = select(Item).where(Item.id.in_(sorted({int(r.item) for r in missed})))
        items = {i.id: i for i in session.scalars(query)}
    return {
        "correct": summary.correct if summary else 0,
        "n": summary.n if summary else 0,
        "accuracy": summary.accuracy if summary else None,
        "low": summary.low if summary else None,
        "high": summary.high if summary else None,
        "excluded": summary.excluded if summary else 0,
        "missed": [
            {
                "item_id": int(r.item),
                "at": r.at,
                "reason": str((items[int(r.item)].gold_answer or {}).get("reason") or "")
                or "No reason was given with this gold answer.",
            }
            for r in missed
        ],
    }


def _project_view(session: Session, user: User, project: Project, now: datetime) -> dict[str, Any]:
    earnings = my_earnings(session, user, project, now=now)
    return {
        "slug": project.slug,
        "name": project.name,
        "status": project.status,
        "purpose": purpose_card(project),
        "content_warnings": list(project.content_warnings or []),
        "sensitive_labels": project_labels(project),
        "sensitive_tags": tag_entries(project),
        "earnings": earnings["currencies"],
        "gold": gold_view(session, user, project),
    }


def _reviews(session: Session, user: User, now: datetime) -> dict[str, Any]:
    rows = reviews_of(session, user, now=now)
    counts = {d: sum(1 for r in rows if r["decision"] == d) for d in ("accept", "reject", "rework")}
    appeals = [r["appeal"] for r in rows if r["appeal"]]
    return {
        "counts": counts,
        "appeals": len(appeals),
        "appeals_open": sum(1 for a in appeals if a["status"] == "open"),
        "recent": rows[:10],
    }


def annotator_dashboard(
    session: Session, user: User, now: datetime | None = None
) -> dict[str, Any]:
    now = now or utcnow()
    projects = projects_of(session, user)
    hours = worked_hours(session, user, now)
    return {
        "user": {"id": user.id, "name": user.name, "timezone": user.timezone},
        "earnings": my_earnings(session, user, now=now),
        "hours": {
            "today": round(hours.today, 2),
            "this_week": round(hours.this_week, 2),
            "daily_cap": hours.caps.daily_hours,
            "weekly_cap": hours.caps.weekly_hours,
            "daily_cap_is_default": hours.caps.daily_default,
            "weekly_cap_is_default": hours.caps.weekly_default,
            "day_start": hours.day_start,
            "week_start": hours.week_start,
        },
        "break": break_due(session, user, now),
        "sensitive": {
            "opt_ins": sorted(opted_in(user.sensitive_opt_ins)),
            "labels": sorted(set(all_labels(projects)) | opted_in(user.sensitive_opt_ins)),
        },
        "reviews": _reviews(session, user, now),
        "projects": [_project_view(session, user, p, now) for p in projects],
    }
