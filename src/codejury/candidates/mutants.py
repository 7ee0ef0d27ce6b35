"""Known-wrong candidates: mutants of correct programs that the task's own tests reject.

``verify_mutants`` works on plain data: for each target (a task's tests and its correct programs) it
plans mutants (``mutation.plan_mutants``), runs them in the sandbox in parallel, batch by batch, and
keeps those that do not pass (failed, error, timeout, out of memory). Mutants that pass are
equivalent as far as the tests can tell and are dropped, as are runs the environment spoiled.
Different kinds are preferred. ``mutate_project`` is the database glue behind ``codejury mutate``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from codejury.candidates.hashing import normalized_hash
from codejury.candidates.mutation import Mutant, plan_mutants
from codejury.candidates.pairing import FAILING
from codejury.candidates.store import CandidateWriter
from codejury.db.models import Candidate, Project, Task
from codejury.sandbox import (
    ExecutionResult,
    Job,
    Limits,
    execute_many,
    execution_key,
    runner_version,
)

logger = logging.getLogger(__name__)

MUTANT_SOURCE = "mutant"
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class MutationTarget:
    """One task: its correct programs as (candidate id, code), its tests, how many mutants to find
    and the kinds it has already (so that new ones differ)."""

    key: int
    parents: tuple[tuple[int, str], ...]
    tests: str
    language: str
    entry_point: str | None
    wanted: int
    have_kinds: frozenset[str] = frozenset()
    known_hashes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class VerifiedMutant:
    parent_id: int
    mutant: Mutant
    result: ExecutionResult
    exec_key: str


@dataclass
class _Search:
    target: MutationTarget
    queue: list[tuple[int, Mutant]]
    tried: int = 0
    failing: list[VerifiedMutant] = field(default_factory=list)
    passing: int = 0
    spoiled: int = 0

    def new_kinds(self) -> set[str]:
        return {v.mutant.kind for v in self.failing} - self.target.have_kinds

    def done(self, max_tries: int) -> bool:
        enough = len(self.new_kinds()) >= self.target.wanted
        return enough or not self.queue or self.tried >= max_tries


def _queue(target: MutationTarget, seed: int | str) -> list[tuple[int, Mutant]]:
    seen = set(target.known_hashes)
    queue = []
    for parent_id, code in target.parents:
        for mutant in plan_mutants(code, seed=seed):
            digest = normalized_hash(mutant.code)
            if digest not in seen:
                seen.add(digest)
                queue.append((parent_id, mutant))
    return queue


def verify_mutants(
    targets: Sequence[MutationTarget],
    *,
    seed: int | str = 0,
    workers: int | None = None,
    limits: Limits | None = None,
    max_tries: int | None = None,
    progress: Progress | None = None,
) -> dict[int, list[VerifiedMutant]]:
    """Up to ``target.wanted`` verified-failing mutants per target key, distinct kinds first."""
    searches = [_Search(t, _queue(t, seed)) for t in targets if t.wanted > 0]
    version = {lang: runner_version(lang) for lang in {t.language for t in targets}}
    while True:
        batch: list[tuple[_Search, int, Mutant]] = []
        for search in searches:
            if search.done(max_tries or 6 * search.target.wanted + 6):
                continue
            missing = search.target.wanted - len(search.new_kinds())
            take, search.queue = search.queue[: 2 * missing + 1], search.queue[2 * missing + 1 :]
            search.tried += len(take)
            batch.extend((search, parent, mutant) for parent, mutant in take)
        if not batch:
            break
        jobs = [_job(s.target, m, limits) for s, _, m in batch]
        for (search, parent, mutant), job, result in zip(
            batch, jobs, execute_many(jobs, workers, progress), strict=True
        ):
            _record(search, parent, mutant, job, result, version[job.language])
    return {s.target.key: _choose(s) for s in searches}


def _job(target: MutationTarget, mutant: Mutant, limits: Limits | None) -> Job:
    return Job(mutant.code, target.tests, target.language, target.entry_point, limits)


def _record(
    search: _Search, parent: int, mutant: Mutant, job: Job, result: ExecutionResult, version: str
) -> None:
    if result.status in FAILING:
        key = execution_key(job.code, job.tests, job.language, job.entry_point, version)
        search.failing.append(VerifiedMutant(parent, mutant, result, key))
    elif result.status == "passed":
        search.passing += 1
    else:
        search.spoiled += 1


def _choose(search: _Search) -> list[VerifiedMutant]:
    chosen: list[VerifiedMutant] = []
    kinds = set(search.target.have_kinds)
    for verified in search.failing:
        if verified.mutant.kind not in kinds:
            chosen.append(verified)
            kinds.add(verified.mutant.kind)
    rest = [v for v in search.failing if v not in chosen]
    return (chosen + rest)[: search.target.wanted]


@dataclass
class MutateReport:
    tasks: int = 0
    skipped: int = 0
    mutants_added: int = 0
    references_executed: int = 0
    per_task: dict[str, int] = field(default_factory=dict)

    @property
    def average(self) -> float:
        return self.mutants_added / self.tasks if self.tasks else 0.0


def _spec(task: Task) -> tuple[str, str, str | None] | None:
    tests = task.tests or {}
    code = tests.get("code")
    language = str(tests.get("runner") or task.language).strip().lower()
    if not isinstance(code, str) or not code.strip() or language != "python":
        return None
    entry = tests.get("entry_point")
    return code, language, entry if isinstance(entry, str) else None


def mutate_project(
    session: Session,
    project: Project,
    *,
    per_task: int = 3,
    seed: int = 0,
    workers: int | None = None,
    limits: Limits | None = None,
    progress: Progress | None = None,
) -> MutateReport:
    """Give every Python task with tests up to ``per_task`` verified-failing mutants in all
    (existing ones count), made from its reference or any candidate that passes."""
    report = MutateReport()
    tasks = session.scalars(
        select(Task).where(Task.project_id == project.id).order_by(Task.id)
    ).all()
    runnable = {t.id: (t, spec) for t in tasks if (spec := _spec(t)) is not None}
    report.skipped = len(tasks) - len(runnable)
    rows = _candidates(session, list(runnable))
    report.references_executed = _verify_references(session, runnable, rows, workers)
    targets = [_target(t, spec, rows.get(t.id, []), per_task) for t, spec in runnable.values()]
    targets = [t for t in targets if t.parents]
    found = verify_mutants(targets, seed=seed, workers=workers, limits=limits, progress=progress)
    writer = CandidateWriter(session, list(runnable))
    for task_id, mutants in found.items():
        for verified in mutants:
            if _store(writer, task_id, verified) is not None:
                report.mutants_added += 1
                external = runnable[task_id][0].external_id
                report.per_task[external] = report.per_task.get(external, 0) + 1
    report.tasks = len(runnable)
    session.commit()
    logger.info("mutants added", extra={"project": project.slug, "added": report.mutants_added})
    return report


def _candidates(session: Session, task_ids: list[int]) -> dict[int, list[Candidate]]:
    rows: dict[int, list[Candidate]] = {}
    for start in range(0, len(task_ids), 500):
        chunk = task_ids[start : start + 500]
        query = select(Candidate).where(Candidate.task_id.in_(chunk)).order_by(Candidate.id)
        for candidate in session.scalars(query):
            rows.setdefault(candidate.task_id, []).append(candidate)
    return rows


def _verify_references(
    session: Session,
    runnable: dict[int, tuple[Task, tuple[str, str, str | None]]],
    rows: dict[int, list[Candidate]],
    workers: int | None,
) -> int:
    """Run reference candidates that were never executed, so that they can serve as parents."""
    pending = [
        (c, runnable[task_id][1])
        for task_id, cands in rows.items()
        for c in cands
        if c.source == "reference" and c.exec_status is None
    ]
    jobs = [Job(c.content, tests, lang, entry) for c, (tests, lang, entry) in pending]
    versions = {lang: runner_version(lang) for _, (_, lang, _) in pending}
    for (candidate, (tests, lang, entry)), result in zip(
        pending, execute_many(jobs, workers), strict=True
    ):
        candidate.exec_status = result.status
        candidate.exec_result = result.to_dict()
        candidate.exec_key = execution_key(candidate.content, tests, lang, entry, versions[lang])
    session.flush()
    return len(pending)


def _target(
    task: Task, spec: tuple[str, str, str | None], cands: list[Candidate], per_task: int
) -> MutationTarget:
    mutants = [
        c for c in cands if c.synthetic and c.source == MUTANT_SOURCE and c.exec_status in FAILING
    ]
    parents = [c for c in cands if not c.synthetic and c.exec_status == "passed"]
    parents.sort(key=lambda c: (c.source != "reference", c.id))
    tests, language, entry = spec
    return MutationTarget(
        key=task.id,
        parents=tuple((c.id, c.content) for c in parents),
        tests=tests,
        language=language,
        entry_point=entry,
        wanted=max(0, per_task - len(mutants)),
        have_kinds=frozenset(str((c.source_meta or {}).get("mutation")) for c in mutants),
        known_hashes=frozenset(c.content_hash for c in cands),
    )


def _store(writer: CandidateWriter, task_id: int, verified: VerifiedMutant) -> Any:
    mutant = verified.mutant
    meta = {
        "mutation": mutant.kind,
        "parent": verified.parent_id,
        "line": mutant.line,
        "description": mutant.description,
    }
    return writer.add(
        task_id,
        mutant.code,
        source=MUTANT_SOURCE,
        source_meta=meta,
        synthetic=True,
        exec_status=verified.result.status,
        exec_result=verified.result.to_dict(),
        exec_key=verified.exec_key,
    )
