"""``execute_project``: candidates run once, results stored, re-run only when something changed."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy.orm import Session

from codejury.db.models import Candidate, Project, Task
from codejury.errors import NotFound
from codejury.sandbox import ExecutionResult, SandboxConfig
from codejury.sandbox.store import execute_project

pytestmark = [pytest.mark.db, pytest.mark.sandbox]

CONFIG = SandboxConfig()
TESTS = "def check(candidate):\n    assert candidate(2) == 4\n    assert candidate(3) == 9\n"


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _task(project: Project, external_id: str, tests: dict[str, object] | None) -> Task:
    return Task(
        project_id=project.id, external_id=external_id, prompt="square x", kind="completion",
        language="python", tests=tests, content_hash=_hash(external_id),
    )  # fmt: skip


def _candidate(task: Task, content: str) -> Candidate:
    return Candidate(task_id=task.id, source="import", content=content, content_hash=_hash(content))


@pytest.fixture
def project(db: Session) -> Project:
    project = Project(slug="squares", name="Squares")
    db.add(project)
    db.flush()
    tested = _task(project, "sq", {"code": TESTS, "entry_point": "square", "runner": None})
    untested = _task(project, "free", None)
    db.add_all([tested, untested])
    db.flush()
    db.add_all([
        _candidate(tested, "def square(x):\n    return x * x\n"),
        _candidate(tested, "def square(x):\n    return x + x\n"),
        _candidate(tested, "def square(x)\n    return x\n"),
        _candidate(untested, "def anything():\n    pass\n"),
    ])  # fmt: skip
    db.commit()
    return project


def _by_content(db: Session) -> dict[str, Candidate]:
    return {c.content: c for c in db.query(Candidate).all()}


def test_execute_stores_results_and_skips_unchanged(db: Session, project: Project) -> None:
    seen: list[tuple[int, int]] = []
    summary = execute_project(db, "squares", workers=2, progress=lambda d, t: seen.append((d, t)), config=CONFIG)  # fmt: skip
    assert (summary.candidates, summary.executed, summary.unchanged, summary.without_tests) == (
        4,
        3,
        0,
        1,
    )
    assert summary.statuses == {"error": 1, "failed": 1, "passed": 1}
    assert seen[-1] == (3, 3)
    rows = _by_content(db)
    good = rows["def square(x):\n    return x * x\n"]
    assert good.exec_status == "passed" and good.exec_key and len(good.exec_key) == 64
    stored = ExecutionResult.from_dict(good.exec_result or {})
    assert stored.tests_passed == stored.tests_total == 2
    wrong = ExecutionResult.from_dict(rows["def square(x):\n    return x + x\n"].exec_result or {})
    assert wrong.status == "failed" and wrong.first_failure is not None
    assert wrong.first_failure.test == "assert candidate(3) == 9"
    assert rows["def square(x)\n    return x\n"].exec_status == "error"
    assert rows["def anything():\n    pass\n"].exec_status == "not_run"

    again = execute_project(db, "squares", config=CONFIG)
    assert (again.executed, again.unchanged) == (0, 3)


def test_changed_candidate_or_force_runs_again(db: Session, project: Project) -> None:
    execute_project(db, "squares", config=CONFIG)
    wrong = _by_content(db)["def square(x):\n    return x + x\n"]
    wrong.content = "def square(x):\n    return x ** 2\n"
    db.commit()
    summary = execute_project(db, "squares", config=CONFIG)
    assert (summary.executed, summary.unchanged) == (1, 2)
    db.refresh(wrong)
    assert wrong.exec_status == "passed"
    forced = execute_project(db, "squares", force=True, config=CONFIG)
    assert forced.executed == 3


def test_unknown_project_is_not_found(db: Session) -> None:
    with pytest.raises(NotFound):
        execute_project(db, "nope", config=CONFIG)
