"""Scheduled jobs (lease expiry, auto-approval, appeal escalation) and the worker that runs them.

The server runs the worker in a thread by default; ``codejury worker`` runs it on its own for larger
deployments (then start the server with ``--no-worker``). Features add jobs with :func:`job`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from codejury.accounts.audit import audit_channel
from codejury.db import Database
from codejury.db.base import utcnow

logger = logging.getLogger(__name__)
JobFn = Callable[[Session], int]


@dataclass(frozen=True)
class Job:
    name: str
    fn: JobFn


JOBS: list[Job] = []


def job(name: str) -> Callable[[JobFn], JobFn]:
    def add(fn: JobFn) -> JobFn:
        JOBS.append(Job(name, fn))
        return fn

    return add


@job("expire leases")
def _expire_leases(session: Session) -> int:
    from codejury.assign import expire_leases

    return expire_leases(session, utcnow())


def _load_feature_jobs() -> None:
    """Import the modules that register jobs of their own (pay, quality), when present."""
    import importlib

    for name in ("codejury.pay.jobs", "codejury.quality.jobs"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


def run_once(db: Database) -> dict[str, int]:
    """Run every job once; one failing job is logged and does not stop the others. What the jobs
    change is audited as coming from a ``job``."""
    _load_feature_jobs()
    done: dict[str, int] = {}
    for j in JOBS:
        try:
            with audit_channel("job"), db.session() as session:
                done[j.name] = j.fn(session)
        except Exception:
            logger.exception("job failed", extra={"job": j.name})
    return done


class Worker(threading.Thread):
    """Runs the jobs every ``interval`` seconds until stopped."""

    def __init__(self, db: Database, interval: float = 30.0) -> None:
        super().__init__(name="codejury-worker", daemon=True)
        self.db, self.interval = db, interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            done = run_once(self.db)
            if any(done.values()):
                logger.info("jobs ran", extra={k.replace(" ", "_"): v for k, v in done.items()})
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
