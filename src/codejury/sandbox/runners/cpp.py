"""C++: the host's g++ compiles the candidate with the tests (which hold ``main``), then runs it.

Both steps happen inside the sandbox. Compiling gets ``Limits.compile_timeout_s`` and a larger memory
bound; the program's own timeout starts once it compiled. ``#line`` markers make diagnostics and
``assert`` messages name ``solution.cpp`` or ``tests.cpp`` with the line as written.
"""

from __future__ import annotations

import os
import re

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
    source_line,
    tool_version,
)
from codejury.sandbox.runners.javascript import PRLIMIT, prlimit_args

HARNESS_REVISION = "1"
COMPILER = "/usr/bin/g++"
FLAGS = ("-std=c++17", "-O1", "-pipe", "-fdiagnostics-color=never")
COMPILE_MEMORY_MB = 2048
_MARKER = b"compiled\n"
_SCRIPT = """set -u
fd="$1"
cat > main.cpp
if {compile} -o prog main.cpp 2>cc.txt; then
  printf 'compiled\\n' >&"$fd"
else
  printf 'compile-failed\\n' >&"$fd"
  head -c 16000 cc.txt >&"$fd"
  exit 0
fi
times >&"$fd"
eval "{run} ./prog </dev/null $fd>&-"
status=$?
times >&"$fd"
exit $status
"""
_ASSERT = re.compile(r"tests\.cpp:(\d+): [^\n]*Assertion `(.*)' failed", re.DOTALL)
_MISSING_HEADER = re.compile(r"fatal error: ([^\s:]+): No such file or directory")
_TIMES = re.compile(r"(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s")


def _child_cpu(report: str) -> float | None:
    """CPU seconds of the program, from the shell's ``times`` before and after it ran."""
    values = [
        float(a) * 60 + float(b) + float(c) * 60 + float(d) for a, b, c, d in _TIMES.findall(report)
    ]
    if len(values) < 4:
        return None
    return max(values[3] - values[1], 0.0)


class CppRunner:
    name: str = "cpp"
    aliases: tuple[str, ...] = ("c++", "cxx")

    def version(self) -> str:
        flags = " ".join(FLAGS)
        return f"cpp/h{HARNESS_REVISION}/g++ {tool_version(COMPILER, '-dumpfullversion')} {flags}"

    def default_limits(self) -> Limits:
        return Limits()

    def missing(self) -> str | None:
        for tool in (COMPILER, PRLIMIT, "/bin/bash"):
            if not os.path.exists(tool):
                return f"{os.path.basename(tool)} not found at {tool}"
        return None

    def invocation(self, program: Program, limits: Limits, config: SandboxConfig) -> Invocation:
        compile_limits = limits.but(
            cpu_s=int(limits.compile_timeout_s) + 1, processes=max(limits.processes, 16)
        )
        compile_cmd = [
            *prlimit_args(compile_limits, address_mb=COMPILE_MEMORY_MB),
            COMPILER,
            *FLAGS,
        ]
        run_cmd = prlimit_args(limits, address_mb=limits.memory_mb)
        script = _SCRIPT.format(compile=" ".join(compile_cmd), run=" ".join(run_cmd))
        source = f'#line 1 "solution.cpp"\n{program.code}\n#line 1 "tests.cpp"\n{program.tests}\n'
        return Invocation(
            ["/bin/bash", "-c", script, "bash", "{report_fd}"],
            source.encode("utf-8", "replace"),
            dict(BASE_ENV),
            setup_s=limits.compile_timeout_s,
            marker=_MARKER,
        )

    def interpret(self, program: Program, raw: RawRun, limits: Limits) -> ExecutionResult:
        report = raw.report.decode("utf-8", "replace")
        if not report.startswith(_MARKER.decode()):
            status, message = self._compile_outcome(report, raw, limits)
            return make_result(self, raw, limits, status, message=message)
        usage = (_child_cpu(report) or 0.0, 0.0)
        limit = limit_status(raw, limits)
        if limit is not None:
            return make_result(self, raw, limits, limit[0], message=limit[1], usage=usage)
        stderr = raw.stderr.decode("utf-8", "replace")
        if "std::bad_alloc" in stderr:
            return make_result(
                self, raw, limits, "out_of_memory", message="std::bad_alloc", usage=usage
            )
        match = _ASSERT.search(stderr)
        if match:
            line = int(match.group(1))
            failure = TestFailure(
                source_line(program.tests, line), line, f"Assertion `{match.group(2)}' failed"
            )
            return make_result(self, raw, limits, "failed", failure=failure, message=failure.message, usage=usage)  # fmt: skip
        if raw.returncode == 0:
            return make_result(self, raw, limits, "passed", usage=usage)
        status = "error" if raw.signal is not None else "failed"
        return make_result(self, raw, limits, status, message=exit_message(raw), usage=usage)

    @staticmethod
    def _compile_outcome(report: str, raw: RawRun, limits: Limits) -> tuple[str, str]:
        if report.startswith("compile-failed"):
            diagnostics = report.split("\n", 1)[1] if "\n" in report else ""
            header = _MISSING_HEADER.search(diagnostics)
            if header:
                return "environment", f"header {header.group(1)} is not available in the sandbox"
            errors = [line for line in diagnostics.splitlines() if "error" in line]
            return "error", "compile error: " + ("\n".join(errors[:10]) or diagnostics[:2000])
        if raw.timed_out:
            return "error", f"compiling took longer than {limits.compile_timeout_s:g} s"
        return "error", f"the build step ended without a report ({exit_message(raw)})"


RUNNER = CppRunner()
