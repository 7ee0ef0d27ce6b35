"""Reading a project's pay, reviews and appeals for the manager's pay page and the transparency
report. Every number comes from stored rows (statements, pay lines, judgments, reviews, appeals).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from codejury.db.models import Item, Judgment, PayLine, PayStatement, Project, Review
from codejury.pay.store import project_pay_summary
from codejury.pay.summaries import AnnotatorPay
from codejury.quality.review import project_appeals
from codejury.wellbeing.transparency import (
    CENT,
    ReviewFacts,
    StatementFact,
    TransparencyReport,
    build_report,
    histogram,
    hourly,
)


def statement_facts(session: Session, project: Project) -> list[StatementFact]:
    topups: dict[int, Decimal] = defaultdict(lambda: Decimal("0"))
    query_t = (
        select(PayLine.statement_id, PayLine.amount)
        .join(PayStatement, PayStatement.id == PayLine.statement_id)
        .where(PayStatement.project_id == project.id, PayLine.kind == "topup")
    )
    for statement_id, amount in session.execute(query_t):
        topups[statement_id] += amount
    query = select(PayStatement).where(PayStatement.project_id == project.id)
    return [
        StatementFact(
            s.user_id,
            s.currency,
            s.total,
            s.paid_seconds,
            topups[s.id],
            s.period_end,
            s.issued_at,
            s.paid_at,
        )
        for s in session.scalars(query.order_by(PayStatement.id))
    ]


def _work_judgments(project: Project) -> list[Any]:
    return [
        Judgment.project_id == project.id,
        Judgment.judge_kind == "human",
        Judgment.skip_reason.is_(None),
        Judgment.superseded.is_(False),
        Item.purpose == "work",
    ]


def _count(session: Session, *where: Any) -> int:
    query = select(func.count(Judgment.id)).join(Item, Item.id == Judgment.item_id)
    return int(session.scalar(query.where(*where)) or 0)


def review_facts(session: Session, project: Project) -> ReviewFacts:
    base = _work_judgments(project)
    reviews = (
        select(func.count(Review.id))
        .join(Judgment, Judgment.id == Review.judgment_id)
        .where(Judgment.project_id == project.id, Review.decision.in_(("reject", "rework")))
    )
    appeals = [a["status"] for a in project_appeals(session, project)]
    return ReviewFacts(
        judgments=_count(session, *base),
        rejected=_count(session, *base, Judgment.status == "rejected"),
        appealable=int(session.scalar(reviews) or 0),
        appeals=len(appeals),
        decided=sum(1 for s in appeals if s in ("granted", "denied")),
        granted=sum(1 for s in appeals if s == "granted"),
    )


def project_transparency(session: Session, project: Project) -> TransparencyReport:
    """The transparency report of one project (``wellbeing.transparency``)."""
    return build_report(
        project.slug, statement_facts(session, project), review_facts(session, project)
    )


@dataclass(frozen=True)
class PayOverview:
    annotators: list[AnnotatorPay]
    topped_up: list[AnnotatorPay]
    histogram: list[tuple[Decimal, Decimal, int]]
    total: Decimal
    accepted_judgments: int
    cost_per_accepted: Decimal | None
    appeals: list[dict[str, Any]]
    transparency: TransparencyReport


def pay_overview(session: Session, project: Project) -> PayOverview:
    """The manager's pay page: pay per annotator, the spread of effective hourly rates (one value
    per statement), who needed top-ups, cost per accepted judgment, appeals and their outcomes."""
    rows = project_pay_summary(session, project)
    facts = statement_facts(session, project)
    total = sum((s.total for s in facts), Decimal("0")).quantize(CENT)
    accepted = _count(session, *_work_judgments(project), Judgment.status == "accepted")
    return PayOverview(
        annotators=rows,
        topped_up=[r for r in rows if r.topup > 0],
        histogram=histogram([hourly(s) for s in facts if s.paid_seconds > 0]),
        total=total,
        accepted_judgments=accepted,
        cost_per_accepted=(total / accepted).quantize(CENT) if accepted else None,
        appeals=project_appeals(session, project),
        transparency=project_transparency(session, project),
    )
