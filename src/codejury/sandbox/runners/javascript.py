"""JavaScript: the host's Node.js, built-in modules only.

The candidate and the tests run as two classic (CommonJS-style) scripts sharing one global scope, so
the tests call the candidate's functions directly; ``require('node:assert')`` gives a counting
``assert``. Memory is bounded by V8's heap limit plus ``RLIMIT_DATA`` (an address-space limit
would stop V8 from starting).
"""

from __future__ import annotations

import json
import os
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
    tool_version,
)

HARNESS_REVISION = "1"
NODE = "/usr/bin/node"
PRLIMIT = "/usr/bin/prlimit"
_HARNESS = (Path(__file__).parent / "javascript_harness.js").read_text()
_NATIVE_HEADROOM_MB = 512


def prlimit_args(
    limits: Limits, *, data_mb: int | None = None, address_mb: int | None = None
) -> list[str]:
    """``prlimit`` options for a command run inside the sandbox."""
    cpu = limits.cpu_seconds
    args = [
        PRLIMIT,
        f"--cpu={cpu}:{cpu + 1}",
        f"--nproc={limits.processes}",
        f"--nofile={limits.open_files}",
        f"--fsize={limits.file_size_mb << 20}",
        "--core=0",
    ]
    if data_mb is not None:
        args.append(f"--data={data_mb << 20}")
    if address_mb is not None:
        args.append(f"--as={address_mb << 20}")
    return args


def _parse(data: bytes) -> dict[str, object] | None:
    try:
        report = json.loads(data.decode("utf-8", "replace")) if data else None
    except ValueError:
        return None
    return report if isinstance(report, dict) and "status" in report else None


class JavaScriptRunner:
    name: str = "javascript"
    aliases: tuple[str, ...] = ("js", "node", "nodejs")

    def version(self) -> str:
        return f"javascript/h{HARNESS_REVISION}/node {tool_version(NODE, '--version')}"

    def default_limits(self) -> Limits:
        return Limits(processes=64, open_files=128)

    def missing(self) -> str | None:
        for tool in (NODE, PRLIMIT):
            if not os.path.exists(tool):
                return f"{os.path.basename(tool)} not found at {tool}"
        return None

    def invocation(self, program: Program, limits: Limits, config: SandboxConfig) -> Invocation:
        code, tests = program.code.encode(), program.tests.encode()
        stdin = f"{len(code)} {len(tests)}\n".encode() + code + tests
        node = [
            NODE,
            f"--max-old-space-size={limits.memory_mb}",
            "--stack-size=984",
            "-e",
            _HARNESS,
        ]
        data_mb = limits.memory_mb + _NATIVE_HEADROOM_MB
        return Invocation(
            [*prlimit_args(limits, data_mb=data_mb), *node, "{report_fd}"], stdin, dict(BASE_ENV)
        )

    def interpret(self, program: Program, raw: RawRun, limits: Limits) -> ExecutionResult:
        report = _parse(raw.report)
        if report is None:
            status, message = limit_status(raw, limits) or self._crash(raw)
            return make_result(self, raw, limits, status, message=message)
        status = safe_status(report["status"])
        failure = None
        raw_failure = report.get("failure")
        if status == "failed" and isinstance(raw_failure, list) and len(raw_failure) == 3:
            line, text, message = raw_failure
            failure = TestFailure(str(text), line if isinstance(line, int) else None, str(message))
        passed, total = report.get("passed"), report.get("total")
        return make_result(
            self, raw, limits, status, failure=failure, usage=report.get("usage"),
            message=str(report.get("message", "")),
            tests_passed=passed if isinstance(passed, int) else None,
            tests_total=total if isinstance(total, int) else None,
        )  # fmt: skip

    @staticmethod
    def _crash(raw: RawRun) -> tuple[str, str]:
        if b"heap out of memory" in raw.stderr or b"allocation failed" in raw.stderr:
            return "out_of_memory", "the JavaScript heap limit was reached"
        return "error", f"ended without a report ({exit_message(raw)})"


RUNNER = JavaScriptRunner()
