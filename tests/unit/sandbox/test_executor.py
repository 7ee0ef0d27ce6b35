"""The parallel executor and the runner registry."""

from __future__ import annotations

import pytest

from codejury.errors import InvalidInput
from codejury.sandbox import Job, SandboxConfig, all_runners, execute_many, get_runner, run

CONFIG = SandboxConfig()


def test_registry_finds_each_language_by_alias() -> None:
    assert {r.name for r in all_runners().values()} == {"python", "javascript", "cpp"}
    assert get_runner("Py").name == "python"
    assert get_runner("node").name == "javascript"
    assert get_runner("c++").name == "cpp"
    with pytest.raises(InvalidInput, match="unknown language"):
        get_runner("cobol")


def test_versions_name_the_runtime() -> None:
    assert get_runner("python").version().startswith("python/")
    assert "node v" in get_runner("javascript").version()


@pytest.mark.sandbox
def test_execute_many_keeps_job_order_and_reports_progress() -> None:
    jobs = [
        Job(f"def f():\n    return {i}\n", f"assert f() == {i if i % 2 else -1}\n", "python")
        for i in range(6)
    ]
    seen: list[tuple[int, int]] = []
    results = execute_many(
        jobs, workers=3, progress=lambda d, t: seen.append((d, t)), config=CONFIG
    )
    assert [r.status for r in results] == ["failed", "passed"] * 3
    assert sorted(seen) == [(i, 6) for i in range(1, 7)]


def test_unknown_language_fails_before_running_anything() -> None:
    with pytest.raises(InvalidInput):
        execute_many([Job("x", "y", "python"), Job("x", "y", "cobol")], config=CONFIG)
    with pytest.raises(InvalidInput):
        run("x", "y", "cobol", config=CONFIG)


@pytest.mark.sandbox
def test_unsafe_mode_runs_without_bwrap() -> None:
    config = SandboxConfig(mode="unsafe-no-isolation", bwrap="/nonexistent/bwrap")
    result = run("def f():\n    return 2\n", "assert f() == 2\n", "python", config=config)
    assert result.status == "passed"


def test_missing_bwrap_refuses_to_run() -> None:
    from codejury.errors import SandboxUnavailable

    with pytest.raises(SandboxUnavailable, match="bubblewrap"):
        run("x = 1", "assert x\n", "python", config=SandboxConfig(bwrap="/nonexistent/bwrap"))
