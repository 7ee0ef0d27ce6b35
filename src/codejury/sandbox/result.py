"""What one sandboxed execution produced: plain, frozen data that round-trips through JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from codejury.errors import InvalidInput

STATUSES = ("passed", "failed", "error", "timeout", "out_of_memory", "environment", "not_run")
"""``passed``/``failed``: the tests ran; ``error``: the candidate could not be loaded or crashed
(syntax or compile error, exception outside an assertion); ``timeout``/``out_of_memory``: a limit
was hit; ``environment``: the runtime lacks something (a module, a compiler) that is not the
candidate's fault; ``not_run``: nothing to run (no tests)."""

MEASUREMENTS = ("duration_s", "cpu_s", "max_rss_mb")
"""Fields that vary between identical runs; everything else is deterministic."""


@dataclass(frozen=True)
class TestFailure:
    """The first failing test: its source text, its line in the tests and the message."""

    __test__ = False  # not a pytest class

    test: str
    line: int | None
    message: str


@dataclass(frozen=True)
class ExecutionResult:
    status: str
    runner: str = ""
    runner_version: str = ""
    tests_passed: int | None = None
    tests_total: int | None = None
    first_failure: TestFailure | None = None
    message: str = ""
    stdout: str = ""
    stderr: str = ""
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    exit_code: int | None = None
    duration_s: float = 0.0
    cpu_s: float = 0.0
    max_rss_mb: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise InvalidInput(
                "unknown execution status", [f"status: {self.status!r} is not one of {STATUSES}"]
            )

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExecutionResult:
        known = {f for f in cls.__dataclass_fields__}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidInput("unknown execution result fields", [f"field: {k}" for k in unknown])
        values = dict(data)
        failure = values.get("first_failure")
        if isinstance(failure, dict):
            values["first_failure"] = TestFailure(**failure)
        return cls(**values)

    def outcome(self) -> dict[str, Any]:
        """``to_dict()`` without the measurements: equal for equal inputs."""
        data = self.to_dict()
        for name in MEASUREMENTS:
            data.pop(name)
        return data

    def with_measurements(
        self, duration_s: float, cpu_s: float, max_rss_mb: float
    ) -> ExecutionResult:
        return replace(
            self,
            duration_s=round(duration_s, 4),
            cpu_s=round(cpu_s, 4),
            max_rss_mb=round(max_rss_mb, 1),
        )


def not_run(message: str, runner: str = "", runner_version: str = "") -> ExecutionResult:
    return ExecutionResult(
        status="not_run", runner=runner, runner_version=runner_version, message=message
    )
