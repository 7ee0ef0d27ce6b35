"""Pay over the database: rates, statements and automatic approval.

Each function takes a ``Session`` first and commits its own unit of work. The calculations live in
the plain modules of this package; reading rows into plain data lives in ``records``; read-only
summaries (earnings, project pay, payroll CSV) live in ``summaries`` and are re-exported here.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from codejury.accounts.audit import audit
from codejury.config import Settings, get_settings
from codejury.db.base import utcnow
from codejury.db.models import Judgment, PayLine, PayRate, PayStatement, Project, User, WorkEvent
from codejury.errors import Conflict, InvalidInput
from codejury.pay.ledger import time_entries, unit_entries
from codejury.pay.policy import (
    BonusRule,
    PayPolicy,
    check_change,
    default_policy,
    rate_for,
    to_decimal,
)
from codejury.pay.records import (
    events_by_user,
    get_project,
    get_user,
    history,
    paid_keys_by_user,
    rate_rows,
    records_by_user,
    to_policy,
)
from codejury.pay.rejections import due_for_auto_approval
from codejury.pay.statements import Period, Statement, build_statement, statement_hash
from codejury.pay.summaries import earnings_summary, payroll_csv, project_pay_summary
from codejury.pay.time import TimeRule, paid_time

logger = logging.getLogger(__name__)

__all__ = [
    "auto_approve",
    "current_policy",
    "earnings_summary",
    "get_project",
    "get_user",
    "issue_statements",
    "payroll_csv",
    "period_of",
    "project_pay_summary",
    "set_pay_rate",
]


def _policy_dict(policy: PayPolicy) -> dict[str, Any]:
    return {
        "piece_rate": str(policy.piece_rate),
        "hourly_floor": str(policy.hourly_floor),
        "currency": policy.currency,
        "bonus_rule": policy.bonus_rule.to_dict() if policy.bonus_rule else None,
        "effective_from": policy.effective_from.isoformat(),
    }


def set_pay_rate(
    session: Session,
    project: Project | int | str,
    piece_rate: Decimal | str,
    hourly_floor: Decimal | str,
    currency: str = "USD",
    effective_from: datetime | None = None,
    actor: User | int | None = None,
    now: datetime | None = None,
    bonus_rule: dict[str, Any] | None = None,
    settings: Settings | None = None,
) -> PayRate:
    """Add a version to a project's pay policy (audited). Refuses floors below the currency's
    minimum, retroactive changes, a new currency, and cuts without ``rate_cut_notice_days`` once
    the rate may be relied on (the project was published or someone worked on it)."""
    settings = settings or get_settings()
    project = get_project(session, project)
    now = now or utcnow()
    policy = PayPolicy(
        piece_rate=to_decimal(piece_rate, "piece_rate"),
        hourly_floor=to_decimal(hourly_floor, "hourly_floor"),
        currency=currency.strip().upper(),
        effective_from=effective_from or now,
        bonus_rule=BonusRule.from_dict(bonus_rule) if bonus_rule else None,
    )
    previous = history(session, project.id)
    notice = settings.rate_cut_notice_days if _may_be_relied_on(session, project) else 0
    check_change(previous, policy, now, notice, settings.min_floors)
    actor_id = actor.id if isinstance(actor, User) else actor
    row = PayRate(
        project_id=project.id,
        currency=policy.currency,
        piece_rate=policy.piece_rate,
        hourly_floor=policy.hourly_floor,
        bonus_rule=policy.bonus_rule.to_dict() if policy.bonus_rule else None,
        effective_from=policy.effective_from,
        created_by=actor_id,
        created_at=now,
    )
    session.add(row)
    session.flush()
    before = _policy_dict(rate_for(previous, policy.effective_from)) if previous else None
    by = session.get(User, actor) if isinstance(actor, int) else actor
    after = _policy_dict(policy)
    audit(session, by, "pay.rate_set", "pay_rate", row.id, before, after, project.id, at=now)
    session.commit()
    logger.info("pay rate %s set for project %s", row.id, project.slug)
    return row


def _may_be_relied_on(session: Session, project: Project) -> bool:
    """Whether anyone may have taken up work at the current rate: a draft nobody has worked on
    has had no annotator see it, so its rate can still be set freely."""
    if project.status != "draft":
        return True
    worked = select(WorkEvent.id).where(WorkEvent.project_id == project.id).limit(1)
    return session.scalar(worked) is not None


def period_of(value: date | datetime) -> Period:
    """The pay period starting at ``value`` (a Monday; a date means 00:00 UTC that day)."""
    return Period.starting(value)


def _take_turns(session: Session, project: Project) -> None:
    """Wait until no one else is issuing this project's statements (PostgreSQL; SQLite runs one
    writer at a time anyway), so that what they issued is seen, not computed again.

    A FOR NO KEY UPDATE row lock on the project: work recorded under the project meanwhile only
    takes KEY SHARE locks on it, so it is not held up."""
    lock = select(Project.id).where(Project.id == project.id).with_for_update(key_share=True)
    session.execute(lock)


def _save(
    session: Session, project: Project, user_id: int, statement: Statement, now: datetime
) -> PayStatement:
    """Store one statement; a statement of the same week stored meanwhile, unseen by this
    transaction (one that reads from a snapshot), is a ``Conflict``."""
    row = PayStatement(
        user_id=user_id,
        project_id=project.id,
        period_start=statement.period.start,
        period_end=statement.period.end,
        currency=statement.currency,
        paid_seconds=float(statement.paid_seconds),
        total=statement.total,
        status="issued",
        issued_at=now,
        content_hash=statement_hash(statement, user=user_id, project=project.id),
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        week = statement.period.start.date().isoformat()
        raise Conflict(
            f"the statement of annotator {user_id} for the week of {week} was issued by someone "
            "else at the same time; issue the week again to see it"
        )
    for line in statement.lines:
        session.add(
            PayLine(
                statement_id=row.id,
                kind=line.kind,
                description=line.description,
                quantity=line.quantity,
                amount=line.amount,
                ref=dict(line.ref),
            )
        )
    return row


def issue_statements(
    session: Session,
    project: Project | int | str,
    period_start: date | datetime,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> list[PayStatement]:
    """Issue every annotator's statement for the week starting ``period_start``.

    Idempotent: a statement already issued for (user, project, period) is returned unchanged and
    nothing is added to it. Two callers issuing one project's statements take turns, so the
    second gets what the first issued. Anything owed from earlier periods and not yet on a
    statement (late acceptance, granted appeals) is included as correction or restored lines.
    """
    settings = settings or get_settings()
    project = get_project(session, project)
    period = period_of(period_start)
    now = now or utcnow()
    if now < period.end:
        raise InvalidInput(f"the period {period.start.date().isoformat()} has not ended yet")
    _take_turns(session, project)
    query = select(PayStatement).where(
        PayStatement.project_id == project.id, PayStatement.period_start == period.start
    )
    existing = {s.user_id: s for s in session.scalars(query)}
    policies = history(session, project.id)
    rule = TimeRule(idle_threshold=float(settings.idle_seconds))
    events = events_by_user(session, project.id)
    records = records_by_user(session, project.id)
    paid = paid_keys_by_user(session, project.id)
    issued: list[PayStatement] = []
    for user_id in sorted(set(events) | set(records) | set(existing)):
        if user_id in existing:
            issued.append(existing[user_id])
            continue
        user_records = records.get(user_id, [])
        times = time_entries(paid_time(events.get(user_id, []), rule), user_records)
        statement = build_statement(
            period,
            unit_entries(user_records),
            times,
            policies,
            paid.get(user_id, set()),
            now,
            settings.min_floors,
        )
        if statement is not None:
            issued.append(_save(session, project, user_id, statement, now))
    session.commit()
    return issued


def auto_approve(
    session: Session, now: datetime | None = None, settings: Settings | None = None
) -> int:
    """Accept every human judgment left pending for ``auto_approve_days``; returns how many."""
    settings = settings or get_settings()
    now = now or utcnow()
    query = select(Judgment).where(
        Judgment.status == "pending",
        Judgment.judge_kind == "human",
        Judgment.created_at <= now,
    )
    candidates = list(session.scalars(query))
    due = set(due_for_auto_approval(candidates, now, settings.auto_approve_days))
    by_project: dict[int, list[int]] = defaultdict(list)
    for judgment in candidates:
        if judgment.id in due:
            judgment.status = "accepted"
            judgment.status_at = now
            by_project[judgment.project_id].append(judgment.id)
    for project_id, ids in sorted(by_project.items()):
        before = {"status": "pending"}
        after = {"status": "accepted", "judgment_ids": sorted(ids)}
        audit(
            session, None, "pay.auto_approve", "judgment", None, before, after, project_id, at=now
        )
    session.commit()
    return len(due)


def current_policy(session: Session, project: Project | int | str, at: datetime) -> PayPolicy:
    """The policy in force at ``at`` (the default policy if none was ever set)."""
    rows = rate_rows(session, get_project(session, project).id)
    if not rows:
        return default_policy(at)
    return to_policy(rate_for(rows, at))
