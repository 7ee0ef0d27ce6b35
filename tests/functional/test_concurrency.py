"""Acceptance: 50 annotators working one project at once, each through its own engine and session.

Afterwards every item has exactly ``overlap`` counted judgments from distinct annotators, every
acknowledged submit is stored, and retried submits (some of them racing) were never counted twice.
"""

from __future__ import annotations

import random
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from codejury.assign import JudgmentIn, Lease, NoWork, next_item_for, submit_judgment
from codejury.assign.schemas import SubmitResult
from codejury.db import Database
from codejury.db.models import Item, Judgment, Project, User
from support.builders import make_items, make_project, make_user

pytestmark = pytest.mark.db

ANNOTATORS = 50
ITEMS = 200
OVERLAP = 3


@dataclass
class Ledger:
    """What the annotators were told, gathered across threads."""

    acked: list[tuple[int, str, int]] = field(default_factory=list)  # user, key, judgment id
    errors: list[BaseException] = field(default_factory=list)
    races: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ack(self, user_id: int, key: str, result: SubmitResult) -> None:
        with self.lock:
            self.acked.append((user_id, key, result.judgment_id))


def seed(url: str) -> tuple[int, list[int]]:
    db = Database(url)
    with db.session() as session:
        project = make_project(session, overlap=OVERLAP, gold_rate=0.0)
        users = [make_user(session, project) for _ in range(ANNOTATORS)]
        make_items(session, project, ITEMS)  # commits
        ids = (project.id, [u.id for u in users])
    db.dispose()
    return ids


# Racing pairs at once: each pair borrows one more connection (PostgreSQL allows 100 in all).
RACE_SLOTS = threading.BoundedSemaphore(8)
POOL = {"pool_size": 20, "max_overflow": 0, "pool_timeout": 120}


def racing_submit(
    db: Database, session: Session, user: User, lease: Lease, payload: JudgmentIn, key: str
) -> list[SubmitResult]:
    """The same submit sent twice at once (a client retrying before the first answer came):
    once from the annotator's own session, once from a second session of the same engine."""
    results: list[SubmitResult] = []
    failures: list[Exception] = []

    def send(own: Session | None) -> None:
        try:
            with nullcontext(own) if own is not None else db.session() as sess:
                who = sess.get_one(User, user.id)
                results.append(
                    submit_judgment(sess, who, lease.assignment_id, payload, idempotency_key=key)
                )
        except Exception as exc:
            failures.append(exc)

    with RACE_SLOTS:
        twins = [threading.Thread(target=send, args=(s,)) for s in (session, None)]
        for t in twins:
            t.start()
        for t in twins:
            t.join()
    assert not failures, failures
    return results


def annotate(db: Database, project_id: int, user_id: int, ledger: Ledger, seed_: int) -> None:
    rng = random.Random(seed_)
    try:
        with db.session() as session:
            user, project = session.get_one(User, user_id), session.get_one(Project, project_id)
            for n in range(ITEMS):
                got = next_item_for(session, user, project, rng=rng)
                if isinstance(got, NoWork):
                    assert got.code == "no_items", got
                    return
                payload = JudgmentIn(
                    ranking=got.display_order, strength=rng.randint(0, 2), active_seconds=5
                )
                key = f"u{user_id}-a{got.assignment_id}"
                if n % 6 == 5:
                    results = racing_submit(db, session, user, got, payload, key)
                    assert len({r.judgment_id for r in results}) == 1
                    assert sorted(r.replayed for r in results) == [False, True]
                    with ledger.lock:
                        ledger.races += 1
                    result = results[0]
                else:
                    result = submit_judgment(
                        session, user, got.assignment_id, payload, idempotency_key=key
                    )
                ledger.ack(user_id, key, result)
                if n % 4 == 3:  # the answer got lost: the client sends the same submit again
                    again = submit_judgment(
                        session, user, got.assignment_id, payload, idempotency_key=key
                    )
                    assert again.replayed and again.judgment_id == result.judgment_id
    except BaseException as exc:
        with ledger.lock:
            ledger.errors.append(exc)


def test_fifty_annotators_fill_every_item_exactly_to_overlap(database_url: str) -> None:
    project_id, user_ids = seed(database_url)
    ledger = Ledger()
    started = time.monotonic()
    # One engine for all annotators, like one server process: 20 connections shared by 50 threads
    # (PostgreSQL allows 100 in all, and other tests hold some).
    shared = Database(database_url, engine_options=POOL)
    threads = [
        threading.Thread(target=annotate, args=(shared, project_id, uid, ledger, i))
        for i, uid in enumerate(user_ids)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    shared.dispose()
    elapsed = time.monotonic() - started
    print(
        f"\n{ANNOTATORS} annotators, {ITEMS} items x {OVERLAP}: {elapsed:.1f}s, {ledger.races} races"
    )
    assert not ledger.errors, ledger.errors[:3]

    db = Database(database_url)
    with db.session() as session:
        per_item = session.execute(
            select(
                Item.id,
                Item.counted,
                func.count(Judgment.id),
                func.count(func.distinct(Judgment.user_id)),
            )
            .outerjoin(Judgment, (Judgment.item_id == Item.id) & Judgment.counted.is_(True))
            .where(Item.project_id == project_id)
            .group_by(Item.id, Item.counted)
        ).all()
        assert len(per_item) == ITEMS
        assert {(counted, rows, people) for _, counted, rows, people in per_item} == {
            (OVERLAP,) * 3
        }
        stored = set(
            session.execute(
                select(Judgment.user_id, Judgment.idempotency_key, Judgment.id)
            ).tuples()
        )
        assert set(ledger.acked) <= stored
        assert len(ledger.acked) == len(stored) == ITEMS * OVERLAP
    db.dispose()
