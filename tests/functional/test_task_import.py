import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from codejury.db.models import Candidate, Item, Judgment, Task, User
from codejury.errors import Conflict, InvalidInput
from codejury.projects import create_project
from codejury.tasks.exporter import task_records
from codejury.tasks.humaneval import humaneval_tasks
from codejury.tasks.importer import import_tasks
from codejury.tasks.reader import read_tasks
from codejury.tasks.schema import TaskIn


def _task(ext: str, **over: object) -> TaskIn:
    base = {
        "external_id": ext,
        "prompt": "def add(a, b):\n",
        "kind": "completion",
        "language": "python",
        "tags": {"difficulty": "easy"},
        "tests": {"code": "def check(f):\n    assert f(1, 2) == 3\n", "entry_point": "add"},
        "candidates": [{"source": "m1", "content": "def add(a, b):\n    return a + b\n"}],
    }
    return TaskIn.model_validate({**base, **over})


def _count(db: Session, model: type) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_import_is_idempotent(db: Session) -> None:
    project = create_project(db, "p")
    tasks = [_task("a"), _task("b")]
    first = import_tasks(db, project, tasks)
    assert (first.created, first.candidates_added) == (2, 2)
    again = import_tasks(db, project, tasks)
    assert (again.created, again.unchanged, again.candidates_added) == (0, 2, 0)
    assert _count(db, Task) == 2 and _count(db, Candidate) == 2


def test_whitespace_only_different_candidates_are_one(db: Session) -> None:
    project = create_project(db, "p")
    task = _task(
        "a",
        candidates=[{"source": "m1", "content": "x = 1\n"}, {"source": "m2", "content": "x  =  1"}],
    )
    assert import_tasks(db, project, [task]).candidates_added == 1


def test_changed_task_stops_import_unless_update(db: Session) -> None:
    project = create_project(db, "p")
    import_tasks(db, project, [_task("a"), _task("b")])
    changed = [_task("a", prompt="def add(x, y):\n"), _task("b"), _task("c")]
    with pytest.raises(Conflict, match="a"):
        import_tasks(db, project, changed)
    assert _count(db, Task) == 2  # nothing written, not even task c
    summary = import_tasks(db, project, changed, update_changed=True)
    assert (summary.created, summary.updated, summary.unchanged) == (1, 1, 1)
    assert db.scalar(select(Task.prompt).where(Task.external_id == "a")) == "def add(x, y):\n"


def test_update_refused_for_judged_tasks(db: Session) -> None:
    project = create_project(db, "p")
    import_tasks(
        db,
        project,
        [
            _task(
                "a",
                candidates=[
                    {"source": "m1", "content": "def add(a, b):\n    return a + b\n"},
                    {"source": "m2", "content": "def add(a, b):\n    return a - b\n"},
                ],
            )
        ],
    )
    task = db.scalars(select(Task)).one()
    ids = sorted(db.scalars(select(Candidate.id)).all())
    user = User(email="a@example.org", name="A", pseudonym="ann-1")
    item = Item(project_id=project.id, task_id=task.id, candidate_ids=ids)
    db.add_all([user, item])
    db.flush()
    db.add(
        Judgment(
            item_id=item.id,
            project_id=project.id,
            user_id=user.id,
            ranking=ids,
            strength=1,
            shown_order=ids,
            idempotency_key="k",
        )
    )
    db.flush()
    with pytest.raises(Conflict, match="judgments"):
        import_tasks(db, project, [_task("a", prompt="changed")], update_changed=True)


def test_bad_file_lists_every_bad_line_and_writes_nothing(db: Session, tmp_path: Path) -> None:
    good = _task("x").model_dump(mode="json")
    lines = [json.dumps({**good, "external_id": f"t{i}"}) for i in range(1000)]
    lines[9] = json.dumps({**good, "external_id": "t9", "kind": None})
    lines[499] = "{not json"
    lines[899] = json.dumps({**good, "external_id": "t899", "tests": {"entry_point": "f"}})
    path = tmp_path / "tasks.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InvalidInput) as err:
        read_tasks(path)
    assert err.value.problems == [
        f"{path}:10: kind: Input should be a valid string",
        f"{path}:500: record: not valid JSON (Expecting property name enclosed in double quotes at column 2)",
        f"{path}:900: tests.code: Field required",
    ]


def test_duplicate_external_id_in_file(tmp_path: Path) -> None:
    record = json.dumps(_task("same").model_dump(mode="json"))
    path = tmp_path / "dup.jsonl"
    path.write_text(record + "\n" + record + "\n")
    with pytest.raises(InvalidInput) as err:
        read_tasks(path)
    assert err.value.problems == [f"{path}:2: external_id: 'same' already used on line 1"]


def test_csv_and_parquet_read_like_jsonl(tmp_path: Path) -> None:
    import csv

    import pyarrow as pa
    import pyarrow.parquet as pq

    record = _task("a").model_dump(mode="json")
    flat = {
        k: json.dumps(v) if isinstance(v, dict | list) else v
        for k, v in record.items()
        if v is not None
    }
    with (tmp_path / "t.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(flat))
        writer.writeheader()
        writer.writerow(flat)
    pq.write_table(pa.Table.from_pylist([flat]), tmp_path / "t.parquet")
    for name in ("t.csv", "t.parquet"):
        [(_, task)] = read_tasks(tmp_path / name)
        assert task == _task("a")


def test_humaneval_round_trip_through_export(db: Session) -> None:
    project = create_project(db, "he")
    import_tasks(db, project, humaneval_tasks(limit=5))
    exported = [TaskIn.model_validate(r) for r in task_records(db, project)]
    assert [t.external_id for t in exported] == [f"HumanEval/{i}" for i in range(5)]
    assert exported[0].candidates[0].source == "reference"
    other = create_project(db, "he2")
    import_tasks(db, other, exported)
    assert list(task_records(db, other)) == list(task_records(db, project))
    assert import_tasks(db, project, exported).changed_anything is False
