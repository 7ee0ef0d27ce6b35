"""Pay over real SQLite and PostgreSQL: rates, statements, approval and summaries."""

from __future__ import annotations

import csv
import io
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from codejury.db import Database
from codejury.db.models import (
    Appeal,
    Assignment,
    AuditEvent,
    Candidate,
    Item,
    Judgment,
    PayLine,
    PayRate,
    PayStatement,
    Project,
    Review,
    Task,
    User,
    WorkEvent,
)
from codejury.errors import Conflict, InvalidInput
from codejury.pay import store

pytestmark = pytest.mark.db

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)
AFTER = MONDAY + timedelta(days=7, hours=2)
SETUP = MONDAY - timedelta(days=30)


@dataclass
class World:
    project: Project
    ann: User
    item: Item


@pytest.fixture
def world(db: Session) -> World:
    return build_world(db)


def build_world(db: Session) -> World:
    project = Project(slug="pay-test", name="Pay test")
    ann = User(email="ann@example.org", name="Ann", pseudonym="ann-7", role="annotator")
    db.add_all([project, ann])
    db.flush()
    task = Task(
        project_id=project.id, external_id="t1", prompt="add", kind="completion",
        language="python", content_hash="h",
    )  # fmt: skip
    db.add(task)
    db.flush()
    cands = [Candidate(task_id=task.id, source="m", content=c, content_hash=c) for c in ("a", "b")]
    db.add_all(cands)
    db.flush()
    ids = sorted(c.id for c in cands)
    item = Item(project_id=project.id, task_id=task.id, candidate_ids=ids)
    db.add(item)
    db.flush()
    store.set_pay_rate(db, project, "0.50", "12", "USD", now=SETUP)
    return World(project, ann, item)


def work(
    db: Session, w: World, n: int, start: datetime, minutes: int, status: str = "pending"
) -> Judgment:
    """One assignment leased at ``start``, submitted ``minutes`` later, with its events."""
    end = start + timedelta(minutes=minutes)
    a = Assignment(
        item_id=w.item.id, user_id=w.ann.id, project_id=w.project.id,
        display_order=w.item.candidate_ids, leased_at=start, expires_at=start + timedelta(hours=1),
        finished_at=end, state="submitted",
    )  # fmt: skip
    db.add(a)
    db.flush()
    j = Judgment(
        item_id=w.item.id, project_id=w.project.id, assignment_id=a.id, user_id=w.ann.id,
        ranking=w.item.candidate_ids, strength=1, shown_order=w.item.candidate_ids,
        idempotency_key=f"k{n}", status=status, created_at=end,
        status_at=end + timedelta(hours=1) if status != "pending" else None,
        active_seconds=minutes * 60,
    )  # fmt: skip
    db.add(j)
    db.add_all(
        [
            WorkEvent(user_id=w.ann.id, project_id=w.project.id, kind="lease",
                      assignment_id=a.id, started_at=start),
            WorkEvent(user_id=w.ann.id, project_id=w.project.id, kind="submit",
                      assignment_id=a.id, started_at=end, seconds=minutes * 60),
        ]
    )  # fmt: skip
    db.flush()
    return j


def reject(db: Session, j: Judgment, code: str, evidence: dict | None, at: datetime) -> Review:
    review = Review(
        judgment_id=j.id, reviewer_id=j.user_id, decision="reject", reason_code=code,
        evidence=evidence, created_at=at,
    )  # fmt: skip
    j.status, j.status_at = "rejected", at
    db.add(review)
    db.flush()
    return review


def test_a_draft_nobody_worked_on_takes_a_lower_rate_at_once(db: Session, world: World) -> None:
    cut = store.set_pay_rate(db, world.project, "0.30", "12", "USD", now=MONDAY)
    assert cut.effective_from == MONDAY
    work(db, world, 1, MONDAY + timedelta(hours=1), 30, "accepted")  # now someone has worked
    with pytest.raises(InvalidInput, match="notice"):
        store.set_pay_rate(db, world.project, "0.20", "12", "USD", now=MONDAY + timedelta(hours=2))


def test_set_pay_rate_is_audited_and_refuses_cuts_without_notice(db: Session, world: World) -> None:
    now = MONDAY
    world.project.status = "published"  # annotators can see the rate
    with pytest.raises(InvalidInput, match="notice"):
        store.set_pay_rate(db, world.project, "0.40", "12", "USD", now=now)
    with pytest.raises(InvalidInput, match="minimum of 8"):
        store.set_pay_rate(db, world.project, "0.50", "7", "USD", now=now)
    later = now + timedelta(days=14)
    row = store.set_pay_rate(db, "pay-test", "0.40", "12", "USD", effective_from=later, now=now)
    assert row.effective_from == later and row.piece_rate == Decimal("0.40")
    audit = db.scalars(select(AuditEvent).where(AuditEvent.target_id == str(row.id))).one()
    assert audit.action == "pay.rate_set"
    assert audit.before is not None and audit.before["piece_rate"] == "0.5000"
    assert audit.after is not None and audit.after["piece_rate"] == "0.40"
    raise_ = store.set_pay_rate(db, world.project, "0.60", "12", "USD", now=now)
    assert raise_.effective_from == now
    assert db.scalar(select(func.count()).select_from(PayRate)) == 3


def test_issue_statements_pays_the_floor_and_is_idempotent(db: Session, world: World) -> None:
    work(db, world, 1, MONDAY + timedelta(days=1), 30, "accepted")
    j2 = work(db, world, 2, MONDAY + timedelta(days=2), 30)
    reject(db, j2, "guidelines_not_followed", None, MONDAY + timedelta(days=3))
    [s] = store.issue_statements(db, world.project, MONDAY.date(), now=AFTER)
    lines = {li.kind: li for li in db.scalars(select(PayLine).where(PayLine.statement_id == s.id))}
    assert s.paid_seconds == 3600  # rejected work is still paid for its time
    assert lines["piece"].amount == Decimal("0.50")
    assert lines["topup"].amount == Decimal("11.50")
    assert s.total == Decimal("12.00") == sum(li.amount for li in lines.values())
    assert len(s.content_hash) == 64

    work(db, world, 3, MONDAY + timedelta(days=4), 30, "accepted")  # appears after issue
    [again] = store.issue_statements(db, world.project, MONDAY, now=AFTER + timedelta(days=1))
    assert (again.id, again.total, again.content_hash) == (s.id, s.total, s.content_hash)
    assert db.scalar(select(func.count()).select_from(PayStatement)) == 1


def test_period_must_be_over_and_start_on_monday(db: Session, world: World) -> None:
    with pytest.raises(InvalidInput, match="not ended"):
        store.issue_statements(db, world.project, MONDAY, now=MONDAY + timedelta(days=6))
    with pytest.raises(InvalidInput, match="Monday"):
        store.issue_statements(db, world.project, MONDAY + timedelta(days=1), now=AFTER)


def test_granted_appeal_pays_what_was_withheld_in_the_next_statement(
    db: Session, world: World
) -> None:
    j = work(db, world, 1, MONDAY + timedelta(days=1), 60)
    evidence = {"gold_judgment_ids": [99]}
    review = reject(db, j, "fraud_failed_gold", evidence, MONDAY + timedelta(days=2))
    assert store.issue_statements(db, world.project, MONDAY, now=AFTER) == []  # time withheld
    decided = MONDAY + timedelta(days=9)
    db.add(
        Appeal(
            review_id=review.id, user_id=world.ann.id, message="I was right", status="granted",
            deadline=decided, decided_at=decided, created_at=decided - timedelta(days=1),
        )
    )  # fmt: skip
    db.flush()
    [s] = store.issue_statements(
        db, world.project, MONDAY + timedelta(days=7), now=AFTER + timedelta(days=7)
    )
    kinds = sorted(
        li.kind for li in db.scalars(select(PayLine).where(PayLine.statement_id == s.id))
    )
    assert kinds == ["restored", "restored", "topup"]
    assert s.total == Decimal("12.50")  # an hour at the floor plus the piece pay
    assert s.paid_seconds == 3600


def test_unreviewed_work_is_approved_on_day_21_not_day_20(db: Session, world: World) -> None:
    j = work(db, world, 1, MONDAY, 10)
    submitted = j.created_at
    assert store.auto_approve(db, now=submitted + timedelta(days=20, hours=23)) == 0
    assert j.status == "pending"
    assert store.auto_approve(db, now=submitted + timedelta(days=21)) == 1
    db.refresh(j)
    assert j.status == "accepted" and j.status_at == submitted + timedelta(days=21)
    audit = db.scalars(select(AuditEvent).where(AuditEvent.action == "pay.auto_approve")).one()
    assert audit.after is not None and audit.after["judgment_ids"] == [j.id]


def test_summaries_and_payroll_csv_agree_with_statements(db: Session, world: World) -> None:
    work(db, world, 1, MONDAY + timedelta(days=1), 120, "accepted")
    work(db, world, 2, MONDAY + timedelta(days=2), 6)  # still pending
    [s] = store.issue_statements(db, world.project, MONDAY, now=AFTER)
    assert s.total == Decimal("25.20")  # 2.1 h × 12

    rows = list(csv.DictReader(io.StringIO(store.payroll_csv(db, world.project, MONDAY))))
    assert len(rows) == 1
    assert rows[0]["pseudonym"] == "ann-7" and rows[0]["total"] == "25.20"
    assert rows[0]["piece"] == "0.50" and rows[0]["topup"] == "24.70"

    [summary] = store.project_pay_summary(db, world.project)
    assert (summary.paid_hours, summary.total, summary.topup) == (
        Decimal("2.10"), Decimal("25.20"), Decimal("24.70"),
    )  # fmt: skip
    assert summary.effective_hourly == Decimal("12.00")

    work(db, world, 3, AFTER + timedelta(hours=1), 30, "accepted")
    earnings = store.earnings_summary(db, world.ann, now=AFTER + timedelta(days=1))
    [usd] = earnings["currencies"]
    assert usd["currency"] == "USD" and usd["issued"] == Decimal("25.20")
    assert (usd["pending_count"], usd["pending"]) == (1, Decimal("0.50"))
    assert (usd["approved_count"], usd["approved"]) == (1, Decimal("0.50"))
    assert earnings["hours_this_week"] == Decimal("0.50")
    assert usd["effective_hourly"] == Decimal("12.00")


def test_auto_approval_runs_as_a_scheduled_job(db: Session, world: World) -> None:
    from codejury.jobs import JOBS
    from codejury.pay.jobs import auto_approve_job

    assert auto_approve_job in [j.fn for j in JOBS]
    j = work(db, world, 1, MONDAY - timedelta(days=400), 10)
    assert auto_approve_job(db) == 1
    assert j.status == "accepted"


# Two people issuing the same week at once, each through a session of their own.


def seeded(url: str) -> int:
    """A fresh database with one annotator's accepted work in the week of MONDAY; the project id."""
    db = Database(url)
    with db.session() as s:
        w = build_world(s)
        work(s, w, 1, MONDAY + timedelta(days=1), 30, "accepted")
        s.commit()
        project_id = w.project.id
    db.dispose()
    return project_id


def test_two_people_issuing_a_week_at_once_get_the_same_statements(database_url: str) -> None:
    project_id = seeded(database_url)
    start = threading.Barrier(2, timeout=60)
    issued: list[list[int]] = []
    errors: list[BaseException] = []

    def issue() -> None:
        db = Database(database_url)
        try:
            with db.session() as s:
                start.wait()
                rows = store.issue_statements(s, project_id, MONDAY, now=AFTER)
                issued.append([row.id for row in rows])
        except BaseException as exc:
            errors.append(exc)
        finally:
            db.dispose()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert len(issued) == 2 and issued[0] == issued[1] and len(issued[0]) == 1
    db = Database(database_url)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(PayStatement)) == 1
    db.dispose()


@pytest.fixture
def postgresql_only(backend: str) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite runs one writer at a time: issuers cannot overlap")


def wait_for_a_lock_wait(db: Database) -> None:
    """Until some other connection of this database waits for a lock."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + 30
    with db.engine.connect() as conn:
        while not conn.execute(query).scalar_one():
            assert time.monotonic() < deadline, "the second issuer never waited"
            time.sleep(0.02)
            conn.rollback()


@pytest.mark.usefixtures("postgresql_only")
def test_a_second_issuer_waits_for_the_first_and_gets_its_statements(database_url: str) -> None:
    project_id = seeded(database_url)
    db = Database(database_url)
    issued: dict[str, list[int]] = {}

    def issue(name: str, session: Session) -> None:
        rows = store.issue_statements(session, project_id, MONDAY, now=AFTER)
        issued[name] = [row.id for row in rows]

    with db.session() as first, db.session() as second:
        late = threading.Thread(target=issue, args=("second", second))

        def start_the_second(*_: object) -> None:  # the first is about to store its statement
            late.start()
            wait_for_a_lock_wait(db)

        event.listen(first, "before_flush", start_the_second, once=True)
        issue("first", first)
        late.join(timeout=30)
    assert issued["first"] == issued["second"] and len(issued["first"]) == 1
    db.dispose()


@pytest.mark.usefixtures("postgresql_only")
def test_a_statement_issued_unseen_is_a_conflict_naming_week_and_annotator(
    database_url: str,
) -> None:
    project_id = seeded(database_url)
    db = Database(database_url)
    with db.session() as blind, db.session() as other:
        # REPEATABLE READ: ``blind`` reads from a snapshot taken before the other one issues.
        blind.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        ann = blind.scalars(select(User.id)).one()
        store.issue_statements(other, project_id, MONDAY, now=AFTER)
        with pytest.raises(Conflict, match=f"annotator {ann} for the week of 2026-11-23"):
            store.issue_statements(blind, project_id, MONDAY, now=AFTER)
    db.dispose()
