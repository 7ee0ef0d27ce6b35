"""The transparency report and the impact page, from stored rows on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from codejury.db.models import (
    Appeal,
    Export,
    ExportContributor,
    PayLine,
    PayStatement,
    Project,
    Review,
    TrainingRun,
    User,
)
from codejury.wellbeing.impact import impact_of
from codejury.wellbeing.plain import jsonable
from codejury.wellbeing.project_pay import pay_overview, project_transparency
from functional.test_quality_store import add_judgment
from support.builders import make_items, make_project, make_user

pytestmark = pytest.mark.db
WEEK = datetime(2026, 11, 23, tzinfo=UTC)
END = WEEK + timedelta(days=7)


def statement(
    db: Session, project: Project, user: User, total: str, hours: float, topup: str = "0",
    paid_after_days: float | None = None, week: int = 0,
) -> PayStatement:  # fmt: skip
    row = PayStatement(
        user_id=user.id, project_id=project.id, period_start=WEEK + timedelta(weeks=week),
        period_end=END + timedelta(weeks=week), currency="USD", paid_seconds=hours * 3600,
        total=Decimal(total), issued_at=END + timedelta(weeks=week, hours=2),
        status="paid" if paid_after_days is not None else "issued", content_hash="x",
        paid_at=END + timedelta(weeks=week, days=paid_after_days) if paid_after_days else None,
    )  # fmt: skip
    db.add(row)
    db.flush()
    if Decimal(topup) > 0:
        db.add(PayLine(statement_id=row.id, kind="topup", description="top-up",
                       quantity=Decimal(1), amount=Decimal(topup)))  # fmt: skip
    return row


def test_transparency_numbers_from_rows(db: Session) -> None:
    project = make_project(db, overlap=3)
    ann, bo, boss = make_user(db, project), make_user(db, project), make_user(db, project)
    # Effective hourly per statement: 12, 12, 15, 20.
    statement(db, project, ann, "24.00", 2, topup="23.00", paid_after_days=2)
    statement(db, project, ann, "30.00", 2, paid_after_days=4, week=1)
    statement(db, project, bo, "12.00", 1, topup="11.50")
    statement(db, project, bo, "40.00", 2, week=1)
    items = make_items(db, project, 10, commit=False)
    judgments = [add_judgment(db, ann if i % 2 else bo, it, list(it.candidate_ids))
                 for i, it in enumerate(items)]  # fmt: skip
    add_judgment(db, ann, items[0], None, None, counted=False, skip_reason="harmful_content")
    for j, decision in zip(judgments[:3], ("reject", "reject", "rework"), strict=True):
        j.status = "rejected" if decision == "reject" else j.status
        review = Review(judgment_id=j.id, reviewer_id=boss.id, decision=decision,
                        reason_code="ignored_guidelines", explanation="x")  # fmt: skip
        db.add(review)
        db.flush()
        if decision == "reject":
            granted = j is judgments[0]
            db.add(Appeal(review_id=review.id, user_id=j.user_id, message="m", deadline=END,
                          status="granted" if granted else "denied", decided_at=END))  # fmt: skip
    judgments[5].status = "accepted"
    db.flush()

    r = project_transparency(db, project)
    assert (r.statements, r.annotators) == (4, 2)
    assert (r.hourly_p10, r.hourly_p50, r.hourly_p90) == (
        Decimal("12.00"), Decimal("13.50"), Decimal("18.50"),
    )  # fmt: skip
    assert (r.topped_up, r.share_topped_up) == (2, 0.5)
    assert (r.rejected, r.judgments, r.rejection_rate) == (2, 10, 0.2)
    assert (r.appeals, r.appealable_reviews) == (2, 3)
    assert r.appeal_rate == pytest.approx(2 / 3)
    assert (r.granted_appeals, r.decided_appeals, r.reversal_rate) == (1, 2, 0.5)
    assert (r.paid_statements, r.median_days_to_payment) == (2, 3.0)
    assert r.median_days_to_issue == round(2 / 24, 2)

    view = pay_overview(db, project)
    assert view.total == Decimal("106.00") and view.accepted_judgments == 1
    assert view.cost_per_accepted == Decimal("106.00")
    assert sum(n for _, _, n in view.histogram) == 4
    assert {a.user_id for a in view.topped_up} == {ann.id, bo.id}
    assert [a["status"] for a in view.appeals] == ["granted", "denied"]


def test_empty_project_has_no_rates(db: Session) -> None:
    r = project_transparency(db, make_project(db))
    assert r.statements == 0 and r.hourly_p50 is None and r.rejection_rate is None
    assert r.median_days_to_payment is None


def test_impact_lists_only_their_own_exports_and_runs(db: Session) -> None:
    project = make_project(db)
    ann, other = make_user(db, project), make_user(db, project)

    def export(public_id: str, people: dict[User, int]) -> Export:
        row = Export(public_id=public_id, project_id=project.id, kind="preferences",
                     format="jsonl", row_count=sum(people.values()), content_hash="h", path="/x")  # fmt: skip
        db.add(row)
        db.flush()
        db.add_all(ExportContributor(export_id=row.id, user_id=u.id, judgments=n)
                   for u, n in people.items())  # fmt: skip
        return row

    shared = export("exp-shared", {ann: 7, other: 5})
    theirs = export("exp-theirs", {other: 9})
    metrics = {"eval_accuracy": 0.71, "notes": {"worst": other.pseudonym}, "by": other.email}
    db.add(TrainingRun(export_id=shared.id, project_id=project.id, kind="reward",
                       base_model="tiny", metrics=metrics, status="finished"))  # fmt: skip
    db.add(TrainingRun(export_id=theirs.id, project_id=project.id, kind="dpo", base_model="tiny"))
    db.flush()

    [seen] = impact_of(db, ann)
    assert (seen.public_id, seen.rows, seen.your_judgments, seen.contributors) == (
        "exp-shared", 12, 7, 2,
    )  # fmt: skip
    [run] = seen.runs
    assert run.kind == "reward" and run.metrics["eval_accuracy"] == 0.71
    assert set(run.metrics) == {"eval_accuracy"}  # nested and text metrics are left out
    text = json.dumps(jsonable(impact_of(db, ann)))
    for detail in (other.name, other.pseudonym, other.email, "exp-theirs"):
        assert detail not in text  # text metrics are left out: only numbers are shown
