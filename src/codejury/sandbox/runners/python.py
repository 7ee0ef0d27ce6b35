"""Python: the host's system interpreter, stdlib only unless a package folder is configured.

The candidate and the tests run in one module namespace (``solution``), as HumanEval expects; when
the tests define ``check(candidate)``, it is called with the entry point. Every ``assert`` in the
tests is rewritten (keeping line numbers) into a counted assertion, so the result tells how many
passed and which failed first.
"""

from __future__ import annotations

import ast
import functools
import os
import sys
from pathlib import Path

from codejury.sandbox.isolation import SandboxConfig
from codejury.sandbox.limits import Limits
from codejury.sandbox.process import RawRun
from codejury.sandbox.result import ExecutionResult, TestFailure
from codejury.sandbox.runners.base import (
    BASE_ENV,
    Invocation,
    Program,
    exit_message,
    limit_status,
    make_result,
    safe_status,
    source_line,
    tool_version,
)

HARNESS_REVISION = "1"
ENV_MOUNT = "/opt/codejury-python"
_HARNESS = (Path(__file__).parent / "python_harness.py").read_text()
_ASSERT_CALL = "__codejury_assert__"
_UNSUPPORTED = (ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)


@functools.cache
def interpreter() -> str:
    """The system Python (never a virtual environment's)."""
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if os.path.exists(candidate):
            return candidate
    base = getattr(sys, "_base_executable", sys.executable)
    return os.path.realpath(base)


@functools.lru_cache(maxsize=512)
def rewrite_asserts(tests: str) -> tuple[str, tuple[tuple[int, str], ...]]:
    """Tests with each ``assert`` turned into a counted call, and (line, source) per assertion.

    Line numbers are kept, so tracebacks still point at the tests as written. Tests that do not
    parse are returned unchanged (the run then reports their syntax error).
    """
    try:
        tree = ast.parse(tests)
    except (SyntaxError, ValueError):
        return tests, ()
    nodes = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Assert)
        and not any(isinstance(sub, _UNSUPPORTED) for sub in ast.walk(node))
    ]
    nodes.sort(key=lambda n: (n.lineno, n.col_offset))
    data = tests.encode("utf-8")
    starts = [0]
    for line in data.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))

    def offset(line: int, col: int) -> int:
        return starts[line - 1] + col

    table = []
    pieces = []
    cursor = 0
    for index, node in enumerate(nodes):
        begin = offset(node.lineno, node.col_offset)
        end = offset(node.end_lineno or node.lineno, node.end_col_offset or 0)
        span = data[begin:end]
        parts = [data[offset(n.lineno, n.col_offset) : offset(n.end_lineno or n.lineno, n.end_col_offset or 0)] for n in (node.test, node.msg) if n is not None]  # fmt: skip
        call = f"{_ASSERT_CALL}({index}, lambda: (".encode() + parts[0] + b")"
        if len(parts) > 1:
            call += b", lambda: (" + parts[1] + b")"
        call += b"\n" * (span.count(b"\n") - sum(p.count(b"\n") for p in parts)) + b")"
        pieces += [data[cursor:begin], call]
        cursor = end
        table.append((node.lineno, span.decode("utf-8", "replace")[:500]))
    pieces.append(data[cursor:])
    return b"".join(pieces).decode("utf-8"), tuple(table)


def _failure(
    program: Program, table: tuple[tuple[int, str], ...], raw: object
) -> TestFailure | None:
    if not isinstance(raw, tuple) or len(raw) != 3:
        return None
    index, line, message = raw
    if isinstance(index, int) and 0 <= index < len(table):
        line, text = table[index]
    else:
        text = source_line(program.tests, line if isinstance(line, int) else None)
    return TestFailure(
        test=text, line=line if isinstance(line, int) else None, message=str(message)
    )


def _parse_report(data: bytes) -> dict[str, object] | None:
    if not data:
        return None
    try:
        report = ast.literal_eval(data.decode("utf-8", "replace"))
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return report if isinstance(report, dict) and "status" in report else None


class PythonRunner:
    name: str = "python"
    aliases: tuple[str, ...] = ("py", "python3")

    def version(self) -> str:
        return f"python/h{HARNESS_REVISION}/{tool_version(interpreter(), '--version')}"

    def default_limits(self) -> Limits:
        return Limits()

    def missing(self) -> str | None:
        path = interpreter()
        return None if os.path.exists(path) else f"no Python interpreter at {path}"

    def invocation(self, program: Program, limits: Limits, config: SandboxConfig) -> Invocation:
        tests, _ = rewrite_asserts(program.tests)
        mounts: tuple[tuple[str, str], ...] = ()
        path = ""
        if config.python_env is not None:
            path = ENV_MOUNT if config.isolated else str(config.python_env)
            mounts = ((str(config.python_env), ENV_MOUNT),)
        seed = int("random" in program.code or "random" in program.tests)
        blobs = [s.encode("utf-8", "replace") for s in (program.code, tests, program.entry_point or "", path)]  # fmt: skip
        numbers = [limits.cpu_seconds, limits.memory_mb << 20, limits.processes, limits.open_files]
        numbers += [limits.file_size_mb << 20, seed, *(len(b) for b in blobs)]
        stdin = " ".join(map(str, numbers)).encode() + b"\n" + b"".join(blobs)
        env = {**BASE_ENV, "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONIOENCODING": "utf-8", "MALLOC_ARENA_MAX": "2"}  # fmt: skip
        command = [interpreter(), "-S", "-s", "-c", _HARNESS, "{report_fd}"]
        return Invocation(command=command, stdin=stdin, env=env, mounts=mounts)

    def interpret(self, program: Program, raw: RawRun, limits: Limits) -> ExecutionResult:
        report = _parse_report(raw.report)
        if report is None:
            limit = limit_status(raw, limits)
            if limit is None and b"MemoryError" in raw.stderr:
                limit = ("out_of_memory", "MemoryError: the memory limit was reached")
            status, message = limit or ("error", f"ended without a report ({exit_message(raw)})")
            return make_result(self, raw, limits, status, message=message)
        _, table = rewrite_asserts(program.tests)
        status = safe_status(report["status"])
        passed, total = report.get("passed"), report.get("total")
        return make_result(
            self, raw, limits, status,
            failure=_failure(program, table, report.get("failure")) if status == "failed" else None,
            message=str(report.get("message", "")),
            usage=report.get("usage"),
            tests_passed=passed if isinstance(passed, int) else None,
            tests_total=total if isinstance(total, int) else None,
        )  # fmt: skip


RUNNER = PythonRunner()
