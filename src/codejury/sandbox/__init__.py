"""Sandboxed execution of untrusted candidate code against tests.

A plain library: ``run(code, tests, "python", entry_point="f")`` gives an ``ExecutionResult``;
``execute_many(jobs)`` runs many in parallel. Database glue lives in ``codejury.sandbox.store``.
See docs/sandbox.md for what is isolated and how.
"""

from codejury.sandbox.executor import Job, default_workers, execute_many, execution_key, run
from codejury.sandbox.isolation import SandboxConfig
from codejury.sandbox.limits import Limits
from codejury.sandbox.result import MEASUREMENTS, STATUSES, ExecutionResult, TestFailure
from codejury.sandbox.runners import all_runners, get_runner

__all__ = [
    "MEASUREMENTS",
    "STATUSES",
    "ExecutionResult",
    "Job",
    "Limits",
    "SandboxConfig",
    "TestFailure",
    "all_runners",
    "default_workers",
    "execute_many",
    "execution_key",
    "get_runner",
    "run",
]


def runner_version(language: str) -> str:
    """The version string of the runner for ``language`` (part of ``execution_key``)."""
    return get_runner(language).version()


__all__ += ["runner_version"]
