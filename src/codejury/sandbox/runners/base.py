"""What a language runner is, and the pieces every runner shares."""

from __future__ import annotations

import functools
import signal
import subprocess
from dataclasses import dataclass, field
from typing import Any, Protocol

from codejury.sandbox.isolation import SandboxConfig
from codejury.sandbox.limits import Limits
from codejury.sandbox.process import RawRun
from codejury.sandbox.result import STATUSES, ExecutionResult, TestFailure


@dataclass(frozen=True)
class Program:
    """One candidate with its tests."""

    code: str
    tests: str
    entry_point: str | None = None


@dataclass(frozen=True)
class Invocation:
    """How to start a program inside the sandbox.

    ``command`` may contain ``{report_fd}``: the number of a pipe the program may write its report to.
    ``mounts`` are extra read-only binds (host path, sandbox path). A program with a setup step
    (compiling) gets ``setup_s`` for it, and the run's own timeout starts when it writes ``marker``
    to the report pipe.
    """

    command: list[str]
    stdin: bytes
    env: dict[str, str] = field(default_factory=dict)
    mounts: tuple[tuple[str, str], ...] = ()
    setup_s: float | None = None
    marker: bytes | None = None


class Runner(Protocol):
    """A language: a module in ``codejury.sandbox.runners`` that defines ``RUNNER``."""

    name: str
    aliases: tuple[str, ...]

    def version(self) -> str:
        """Changes whenever the same program could give a different result (runtime, harness)."""
        ...

    def default_limits(self) -> Limits: ...

    def missing(self) -> str | None:
        """Why this runtime cannot run on this host, or None when it can."""
        ...

    def invocation(self, program: Program, limits: Limits, config: SandboxConfig) -> Invocation: ...

    def interpret(self, program: Program, raw: RawRun, limits: Limits) -> ExecutionResult: ...


BASE_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "TMPDIR": "/tmp"}


@functools.cache
def tool_version(*argv: str) -> str:
    """First line of a tool's version output, or ``missing``."""
    try:
        out = subprocess.run(argv, capture_output=True, timeout=20, env=BASE_ENV)
    except (OSError, subprocess.SubprocessError):
        return "missing"
    text = (out.stdout or out.stderr).decode(errors="replace").strip()
    return text.splitlines()[0] if text else "unknown"


def source_line(source: str, line: int | None) -> str:
    if line is None or line < 1:
        return ""
    lines = source.splitlines()
    return lines[line - 1].strip() if line <= len(lines) else ""


def limit_status(raw: RawRun, limits: Limits) -> tuple[str, str] | None:
    """The status when a limit ended the run (time, CPU, output), else None."""
    if raw.timed_out:
        return "timeout", f"wall-clock limit of {limits.timeout_s:g} s exceeded"
    if raw.output_exceeded:
        return "error", f"output passed the limit of {limits.output_hard_bytes} bytes"
    sig = raw.signal
    if sig == signal.SIGXCPU or (sig == signal.SIGKILL and raw.cpu_s >= limits.cpu_seconds - 0.2):
        return "timeout", f"CPU-time limit of {limits.cpu_seconds} s exceeded"
    return None


def exit_message(raw: RawRun) -> str:
    sig = raw.signal
    if raw.returncode is not None and raw.returncode < 0 and sig is not None:
        return f"killed by {signal.Signals(sig).name}"
    return f"exited with code {raw.returncode}"


def safe_status(value: object) -> str:
    """A status a program reported, or ``error`` when it is not one of ours."""
    return value if isinstance(value, str) and value in STATUSES else "error"


def make_result(
    runner: Runner,
    raw: RawRun,
    limits: Limits,
    status: str,
    *,
    failure: TestFailure | None = None,
    usage: object = None,
    **values: Any,
) -> ExecutionResult:
    """An ``ExecutionResult`` with the output excerpts and measurements of ``raw`` filled in.

    ``usage`` is (cpu seconds, peak MiB) as measured inside the sandbox, when the runner has it
    (bwrap's PID-namespace init does not pass its children's usage on).
    """
    keep = limits.output_bytes
    result = ExecutionResult(
        status=status,
        runner=runner.name,
        runner_version=runner.version(),
        first_failure=failure,
        stdout=raw.stdout[:keep].decode("utf-8", "replace"),
        stderr=raw.stderr[:keep].decode("utf-8", "replace"),
        stdout_truncated=raw.stdout_total > keep,
        stderr_truncated=raw.stderr_total > keep,
        exit_code=raw.returncode,
        **values,
    )
    cpu, rss = raw.cpu_s, raw.max_rss_mb
    if isinstance(usage, (tuple, list)) and len(usage) == 2:
        numbers = [v for v in usage if isinstance(v, (int, float))]
        if len(numbers) == 2:
            cpu, rss = max(cpu, float(numbers[0])), max(rss, float(numbers[1]))
    return result.with_measurements(raw.duration_s, cpu, rss)
