"""Run candidates: one isolated execution per candidate, many at once on a thread pool."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from codejury.sandbox.isolation import (
    Launch,
    SandboxConfig,
    bwrap_argv,
    ensure_available,
    host_uid,
    warn_unsafe_once,
)
from codejury.sandbox.limits import Limits
from codejury.sandbox.process import Budget, RawRun, execute
from codejury.sandbox.result import ExecutionResult, not_run
from codejury.sandbox.runners import Invocation, Program, Runner, get_runner

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Called with (finished, total) after each execution."""


@dataclass(frozen=True)
class Job:
    code: str
    tests: str
    language: str
    entry_point: str | None = None
    limits: Limits | None = None


def execution_key(
    code: str, tests: str, language: str, entry_point: str | None, runner_version: str
) -> str:
    """SHA-256 (hex) of everything that decides a result; a stored key that differs means re-run."""
    digest = hashlib.sha256()
    for part in (code, tests, language.strip().lower(), entry_point or "", runner_version):
        data = part.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def default_config() -> SandboxConfig:
    from codejury.config import get_settings

    return SandboxConfig.from_settings(get_settings())


def run(
    code: str,
    tests: str,
    language: str,
    *,
    entry_point: str | None = None,
    limits: Limits | None = None,
    config: SandboxConfig | None = None,
) -> ExecutionResult:
    """Run ``code`` against ``tests`` in the sandbox. A failing candidate is a result, not an error.

    Raises ``InvalidInput`` for an unknown language and ``SandboxUnavailable`` when isolation does
    not work here (unless ``config.mode`` is ``unsafe-no-isolation``).
    """
    runner = get_runner(language)
    config = config or default_config()
    ensure_available(config)
    warn_unsafe_once(config)
    return _run_one(runner, Program(code, tests, entry_point), limits, config)


def _run_one(
    runner: Runner, program: Program, limits: Limits | None, config: SandboxConfig
) -> ExecutionResult:
    if not program.tests.strip():
        return not_run("no tests", runner.name, runner.version())
    missing = runner.missing()
    if missing:
        return ExecutionResult(
            status="environment",
            runner=runner.name,
            runner_version=runner.version(),
            message=missing,
        )
    limits = limits or runner.default_limits()
    invocation = runner.invocation(program, limits, config)
    budget = Budget(
        limits.timeout_s, limits.output_bytes, limits.output_hard_bytes,
        setup_s=invocation.setup_s, marker=invocation.marker,
    )  # fmt: skip
    with host_uid(config) as uid:
        if config.isolated:
            argv = bwrap_argv(
                config, invocation.command, invocation.env,
                mounts=invocation.mounts, tmpfs_mb=limits.tmpfs_mb,
            )  # fmt: skip
            raw = execute(Launch(argv, {}, uid), invocation.stdin, budget)
        else:
            raw = _run_unisolated(invocation, budget)
    return runner.interpret(program, raw, limits)


def _run_unisolated(invocation: Invocation, budget: Budget) -> RawRun:
    """The weaker mode: only the runner's resource limits, a private temp folder and a new session."""
    work = tempfile.mkdtemp(prefix="codejury-run-")
    try:
        env = {**invocation.env, "HOME": work, "TMPDIR": work}
        launch = Launch(invocation.command, env, None, cwd=work)
        return execute(launch, invocation.stdin, budget)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def default_workers(config: SandboxConfig) -> int:
    return config.workers if config.workers > 0 else (os.cpu_count() or 1)


def execute_many(
    jobs: Sequence[Job],
    workers: int | None = None,
    progress: Progress | None = None,
    *,
    config: SandboxConfig | None = None,
) -> list[ExecutionResult]:
    """Run every job, ``workers`` at a time; results come back in the order of ``jobs``."""
    config = config or default_config()
    runners = [get_runner(job.language) for job in jobs]  # unknown languages fail before any run
    if not jobs:
        return []
    ensure_available(config)
    warn_unsafe_once(config)
    size = workers if workers and workers > 0 else default_workers(config)
    results: list[ExecutionResult | None] = [None] * len(jobs)
    with ThreadPoolExecutor(max_workers=min(size, len(jobs)), thread_name_prefix="sandbox") as pool:
        futures = {}
        for i, (job, runner) in enumerate(zip(jobs, runners, strict=True)):
            program = Program(job.code, job.tests, job.entry_point)
            futures[pool.submit(_run_one, runner, program, job.limits, config)] = i
        for done, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            if progress is not None:
                progress(done, len(jobs))
    return [r for r in results if r is not None]
