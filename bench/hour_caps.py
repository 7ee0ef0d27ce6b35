"""The hour caps on a busy week: what checking them costs on every new lease.

Seeds one annotator with ``--assignments`` finished assignments this week (a lease and a submit
event each, as the assignment engine writes them), then times ``worked_hours`` (the exact paid
hours, as the dashboard shows them) and ``hours_against_caps`` (what the cap filters ask: an upper
bound from one aggregate query, exact only near a cap), well under the caps and near one.

    .venv/bin/python bench/hour_caps.py [--assignments 2000] [--postgres]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from codejury.db import open_database
from codejury.db.base import utcnow
from codejury.db.models import Assignment, Candidate, Item, Project, Task, User, WorkEvent
from codejury.wellbeing.hours import week_start
from codejury.wellbeing.store import hours_against_caps, worked_hours

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def seed(session: Session, assignments: int) -> User:
    project = Project(slug="caps", name="Caps", status="published")
    user = User(email="busy@example.org", name="Busy", role="annotator", pseudonym="busy")
    session.add_all([project, user])
    session.flush()
    task = Task(project_id=project.id, external_id="t", prompt="p", kind="completion",
                language="python", content_hash="h")  # fmt: skip
    session.add(task)
    session.flush()
    cands = [Candidate(task_id=task.id, source=m, content=m, content_hash=m) for m in "ab"]
    session.add_all(cands)
    session.flush()
    item = Item(project_id=project.id, task_id=task.id, candidate_ids=[c.id for c in cands])
    session.add(item)
    session.flush()
    now = utcnow()
    start = max(week_start(now, "UTC"), now - timedelta(days=6))
    step = (now - start) / (assignments + 1)
    for n in range(assignments):
        leased = start + step * n
        done = leased + step * 0.9
        a = Assignment(item_id=item.id, user_id=user.id, project_id=project.id,
                       display_order=item.candidate_ids, state="submitted", leased_at=leased,
                       expires_at=leased + timedelta(hours=1), finished_at=done)  # fmt: skip
        session.add(a)
        session.flush()
        common = {"user_id": user.id, "project_id": project.id, "assignment_id": a.id}
        session.add(WorkEvent(kind="lease", started_at=leased, ended_at=leased, **common))
        session.add(
            WorkEvent(kind="submit", started_at=leased, ended_at=done, seconds=30, **common)
        )
    session.commit()
    return user


def timed(call: Callable[[], object], runs: int = 20) -> float:
    call()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def measure(url: str, assignments: int, label: str) -> None:
    db = open_database(url)
    with db.session() as s:
        user = seed(s, assignments)
        exact = timed(lambda: worked_hours(s, user))
        hours = worked_hours(s, user)
        user.daily_cap_hours, user.weekly_cap_hours = 24.0, 168.0
        under = timed(lambda: hours_against_caps(s, user))
        user.daily_cap_hours = user.weekly_cap_hours = hours.this_week - 1
        near = timed(lambda: hours_against_caps(s, user))
        s.rollback()
    db.dispose()
    print(
        f"{label}: {2 * assignments} events this week ({hours.this_week:.1f} paid hours): "
        f"exact hours {exact:.1f} ms; cap check {under:.1f} ms well under the caps, "
        f"{near:.1f} ms near one (medians of 20)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assignments", type=int, default=2000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        measure(f"sqlite:///{Path(tmp) / 'caps.sqlite3'}", args.assignments, "sqlite")
    if args.postgres:
        name = f"codejury_caps_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            measure(PG.rsplit("/", 1)[0] + "/" + name, args.assignments, "postgresql")
        finally:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
