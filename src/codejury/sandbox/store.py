"""Database glue: run a project's candidates and store each result on its ``Candidate`` row."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from codejury.db.models import Candidate, Project, Task
from codejury.errors import InvalidInput, NotFound
from codejury.sandbox.executor import Job, Progress, execute_many, execution_key
from codejury.sandbox.isolation import SandboxConfig
from codejury.sandbox.result import ExecutionResult, not_run
from codejury.sandbox.runners import all_runners

logger = logging.getLogger(__name__)

BATCH_SIZE = 64


@dataclass(frozen=True)
class ExecuteSummary:
    project: str
    candidates: int
    executed: int
    unchanged: int
    without_tests: int
    statuses: dict[str, int] = field(default_factory=dict)


@dataclass
class _Pending:
    candidate: Candidate
    job: Job
    key: str


def _spec(task: Task) -> tuple[str, str, str | None] | None:
    """(tests code, language, entry point) of a task, or None when it has no tests."""
    tests = task.tests or {}
    code = tests.get("code")
    if not isinstance(code, str) or not code.strip():
        return None
    language = tests.get("runner") or task.language
    entry_point = tests.get("entry_point")
    return code, str(language), entry_point if isinstance(entry_point, str) else None


def _plan(rows: Sequence[Any], force: bool) -> tuple[list[_Pending], list[Candidate], int]:
    """Split candidates into those to run, those without tests, and a count of unchanged ones."""
    runners = all_runners()
    pending: list[_Pending] = []
    untested: list[Candidate] = []
    unchanged = 0
    problems = []
    for candidate, task in rows:
        spec = _spec(task)
        if spec is None:
            untested.append(candidate)
            continue
        code, language, entry_point = spec
        runner = runners.get(language.strip().lower())
        if runner is None:
            problems.append(f"task {task.external_id}: no runner for language {language!r}")
            continue
        key = execution_key(candidate.content, code, language, entry_point, runner.version())
        if not force and candidate.exec_key == key:
            unchanged += 1
            continue
        pending.append(
            _Pending(candidate, Job(candidate.content, code, language, entry_point), key)
        )
    if problems:
        raise InvalidInput("some tasks cannot be executed", problems)
    return pending, untested, unchanged


def _store(candidate: Candidate, result: ExecutionResult, key: str | None) -> None:
    candidate.exec_status = result.status
    candidate.exec_result = result.to_dict()
    candidate.exec_key = key


def execute_project(
    session: Session,
    project_slug: str,
    *,
    workers: int | None = None,
    force: bool = False,
    progress: Progress | None = None,
    config: SandboxConfig | None = None,
) -> ExecuteSummary:
    """Run every candidate of the project whose stored execution key is out of date (all with
    ``force``); candidates of tasks without tests get ``not_run``. Commits after each batch."""
    project = session.scalar(select(Project).where(Project.slug == project_slug))
    if project is None:
        raise NotFound(f"project {project_slug!r} does not exist")
    rows = session.execute(
        select(Candidate, Task)
        .join(Task, Candidate.task_id == Task.id)
        .where(Task.project_id == project.id)
        .order_by(Candidate.id)
    ).all()
    pending, untested, unchanged = _plan(rows, force)
    statuses: Counter[str] = Counter()
    for candidate in untested:
        if force or candidate.exec_status != "not_run":
            _store(candidate, not_run("the task has no tests"), None)
    session.commit()
    total = len(pending)
    for start in range(0, total, BATCH_SIZE):
        batch = pending[start : start + BATCH_SIZE]
        done_before = start

        def step(done: int, _total: int, offset: int = done_before) -> None:
            if progress is not None:
                progress(offset + done, total)

        results = execute_many([p.job for p in batch], workers, step, config=config)
        for item, result in zip(batch, results, strict=True):
            _store(item.candidate, result, item.key)
            statuses[result.status] += 1
        session.commit()
    logger.info("executed %d candidates of %s (%d unchanged)", total, project_slug, unchanged)
    return ExecuteSummary(
        project=project_slug,
        candidates=len(rows),
        executed=total,
        unchanged=unchanged,
        without_tests=len(untested),
        statuses=dict(sorted(statuses.items())),
    )
