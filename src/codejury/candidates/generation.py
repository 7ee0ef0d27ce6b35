"""Generation runs: K samples per task from a backend, cached and resumable, stored as candidates.

Every response is written to ``GenerationCache`` (and its candidate created) as soon as it
arrives, under a key of (backend, model, parameters, prompt, sample index). A run that is
interrupted and started again therefore asks the backend only for the samples it does not have
yet, and a finished run re-run asks for nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from codejury.candidates.backends import (
    Backend,
    GenerationFailed,
    GenerationRequest,
    GenerationResult,
    Mode,
    cache_key,
)
from codejury.candidates.store import CandidateWriter
from codejury.db.base import utcnow
from codejury.db.models import GenerationCache, Project, Task

logger = logging.getLogger(__name__)

PYTHON_COMPLETION_STOPS = ("\ndef ", "\nclass ", "\nif __name__", "\nprint(")
FENCE = re.compile(r"```[\w+-]*[ \t]*\n(.*?)```", re.DOTALL)
Progress = Callable[[int], None]


@dataclass(frozen=True)
class GenerationPlan:
    """What to ask for. ``mode=None`` picks chat for chat-message prompts and completion for text;
    ``stop=None`` uses the usual stop sequences of Python function completion where they apply."""

    n: int = 1
    temperature: float = 0.8
    max_tokens: int = 512
    top_p: float = 1.0
    mode: Mode | None = None
    stop: tuple[str, ...] | None = None


@dataclass
class GenerationReport:
    requested: int = 0
    cached: int = 0
    generated: int = 0
    failed: int = 0
    candidates_added: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Job:
    task: Task
    request: GenerationRequest
    key: str


def generate_candidates(
    session: Session,
    project: Project,
    backend: Backend,
    model: str,
    plan: GenerationPlan,
    *,
    tasks: Sequence[Task] | None = None,
    progress: Progress | None = None,
) -> GenerationReport:
    """Ask ``backend`` for ``plan.n`` samples of each task's prompt; store new ones as candidates.

    ``progress`` is called with the number of samples finished (cached ones first)."""
    if tasks is None:
        tasks = session.scalars(
            select(Task).where(Task.project_id == project.id).order_by(Task.id)
        ).all()
    jobs = [_job(backend.name, task, model, plan, i) for task in tasks for i in range(plan.n)]
    report = GenerationReport(requested=len(jobs))
    writer = CandidateWriter(session, [t.id for t in tasks])
    cached = _load_cache(session, [j.key for j in jobs])
    missing = []
    for job in jobs:
        if job.key in cached:
            report.cached += 1
            _add_candidate(writer, backend.name, job, *cached[job.key], report)
        else:
            missing.append(job)
    session.commit()
    if progress and report.cached:
        progress(report.cached)
    _run(session, backend, writer, missing, report, progress)
    logger.info("generation finished", extra={"project": project.slug, **_summary(report)})
    return report


def _summary(report: GenerationReport) -> dict[str, Any]:
    return {k: v for k, v in report.__dict__.items() if k != "errors"}


def _job(backend: str, task: Task, model: str, plan: GenerationPlan, index: int) -> _Job:
    mode: Mode = plan.mode or ("completion" if isinstance(task.prompt, str) else "chat")
    stop = plan.stop
    if stop is None:
        python_completion = (
            mode == "completion" and task.language == "python" and task.kind == "completion"
        )
        stop = PYTHON_COMPLETION_STOPS if python_completion else ()
    request = GenerationRequest(
        model=model,
        prompt=task.prompt,
        mode=mode,
        temperature=plan.temperature,
        max_tokens=plan.max_tokens,
        top_p=plan.top_p,
        stop=stop,
        sample_index=index,
    )
    return _Job(task, request, cache_key(backend, request))


def _load_cache(session: Session, keys: list[str]) -> dict[str, tuple[GenerationResult, str]]:
    found: dict[str, tuple[GenerationResult, str]] = {}
    for start in range(0, len(keys), 500):
        rows = session.scalars(
            select(GenerationCache).where(GenerationCache.key.in_(keys[start : start + 500]))
        )
        for row in rows:
            found[row.key] = (GenerationResult.from_dict(row.response), row.created_at.isoformat())
    return found


def _run(
    session: Session,
    backend: Backend,
    writer: CandidateWriter,
    jobs: list[_Job],
    report: GenerationReport,
    progress: Progress | None,
) -> None:
    """Generate concurrently; store each response from this thread as it arrives. On an
    interruption, responses already received are still stored before it propagates."""
    if not jobs:
        return
    stored: set[Future[GenerationResult]] = set()
    pool = ThreadPoolExecutor(
        max_workers=max(1, backend.max_concurrency), thread_name_prefix="generate"
    )
    futures = {pool.submit(backend.generate, job.request): job for job in jobs}
    try:
        for future in as_completed(futures):
            stored.add(future)
            _collect(session, backend, writer, futures[future], future, report)
            if progress:
                progress(1)
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        for future, job in futures.items():
            if (
                future not in stored
                and future.done()
                and not future.cancelled()
                and future.exception() is None
            ):
                _collect(session, backend, writer, job, future, report)
        raise
    finally:
        pool.shutdown(wait=True)


def _collect(
    session: Session,
    backend: Backend,
    writer: CandidateWriter,
    job: _Job,
    future: Future[GenerationResult],
    report: GenerationReport,
) -> None:
    try:
        result = future.result()
    except GenerationFailed as exc:
        if exc.fatal:
            raise
        report.failed += 1
        report.errors.append(f"{job.task.external_id} sample {job.request.sample_index}: {exc}")
        logger.warning("generation failed", extra={"task": job.task.external_id, "error": str(exc)})
        return
    created = utcnow()
    session.merge(GenerationCache(key=job.key, response=result.to_dict(), created_at=created))
    report.generated += 1
    _add_candidate(writer, backend.name, job, result, created.isoformat(), report)
    session.commit()


def _add_candidate(
    writer: CandidateWriter,
    backend: str,
    job: _Job,
    result: GenerationResult,
    generated_at: str,
    report: GenerationReport,
) -> None:
    request = job.request
    meta = {
        "backend": backend,
        "model": request.model,
        "params": result.params or request.params(),
        "sample_index": request.sample_index,
        "prompt_tokens": result.prompt_tokens,
        "completion_tokens": result.completion_tokens,
        "seconds": result.seconds,
        "finish_reason": result.finish_reason,
        "generated_at": generated_at,
        "cache_key": job.key,
    }
    structured = None
    if request.mode == "chat":
        structured = {
            "messages": [*request.messages(), {"role": "assistant", "content": result.text}]
        }
    content = candidate_content(job.task, request.mode, result.text)
    added = writer.add(
        job.task.id, content, source=request.model[:200], source_meta=meta, structured=structured
    )
    if added is None:
        report.duplicates += 1
    else:
        report.candidates_added += 1


def candidate_content(task: Task, mode: Mode, text: str) -> str:
    """The complete program: prompt + completion for completion prompts; for chat answers to a
    task with tests, the first fenced code block (or the whole answer when it has none)."""
    if mode == "completion" and isinstance(task.prompt, str):
        return task.prompt + text
    if task.tests:
        return extract_code(text)
    return text


def extract_code(text: str) -> str:
    match = FENCE.search(text)
    return match.group(1) if match else text
