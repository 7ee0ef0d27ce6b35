"""Import 100,000 tasks (one candidate each) from a JSONL file; prints tasks/s on SQLite and PostgreSQL.

.venv/bin/python bench/import_tasks.py [--tasks 100000] [--postgres URL | --no-postgres]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from codejury.db import open_database
from codejury.projects import create_project
from codejury.tasks.importer import import_tasks
from codejury.tasks.reader import read_tasks

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def write_file(path: Path, n: int) -> None:
    with path.open("w") as fh:
        for i in range(n):
            record = {
                "external_id": f"task-{i}",
                "prompt": f'def f{i}(x):\n    """Return x plus {i}."""\n',
                "kind": "completion",
                "language": ["python", "javascript", "cpp"][i % 3],
                "tags": {"difficulty": ["easy", "medium", "hard"][i % 3], "framework": "none"},
                "tests": {
                    "code": f"def check(f):\n    assert f(1) == {i + 1}\n",
                    "entry_point": f"f{i}",
                },
                "candidates": [
                    {"source": "model-a", "content": f"def f{i}(x):\n    return x + {i}\n"}
                ],
            }
            fh.write(json.dumps(record) + "\n")


def run(url: str, path: Path, n: int) -> None:
    db = open_database(url)
    with db.session() as s:
        project = create_project(s, f"bench-{uuid.uuid4().hex[:8]}")
        t0 = time.perf_counter()
        rows = [t for _, t in read_tasks(path)]
        t1 = time.perf_counter()
        summary = import_tasks(s, project, rows)
        t2 = time.perf_counter()
        again = import_tasks(s, project, rows)
        t3 = time.perf_counter()
    assert summary.created == n and again.unchanged == n
    backend = url.split(":", 1)[0]
    print(
        f"{backend:22} read+validate {t1 - t0:6.1f} s | import {t2 - t1:6.1f} s | "
        f"total {n / (t2 - t0):8.0f} tasks/s | re-import (no-op) {t3 - t2:5.1f} s"
    )
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--postgres", default=PG)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tasks.jsonl"
        write_file(path, args.tasks)
        print(f"{args.tasks} tasks, {path.stat().st_size / 1e6:.1f} MB JSONL")
        run(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", path, args.tasks)
        if not args.no_postgres:
            name = f"codejury_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                run(args.postgres.rsplit("/", 1)[0] + "/" + name, path, args.tasks)
            finally:
                with admin.connect() as c:
                    c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
