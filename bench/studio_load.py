"""Load on a real server: N simulated annotators doing next + submit over loopback, no think time.

Seeds a project with 100,000 items, starts `codejury serve` on a free port, runs the annotators for a
bounded time, and prints judgments/s and latency percentiles, for SQLite and PostgreSQL.

    .venv/bin/python bench/studio_load.py [--items 100000] [--clients 16] [--seconds 20] [--no-postgres]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import create_engine, insert, select, text

from codejury.accounts import add_member, create_user, issue_token
from codejury.db import open_database
from codejury.db.models import Candidate, Item, ItemCandidate, Task, candidate_key
from codejury.projects import create_project, update_settings
from codejury.tasks.importer import import_tasks
from codejury.tasks.schema import TaskIn

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PURPOSE = {"uses": "load test", "users": "bench", "retention": "none", "publishable": False}


def seed(url: str, items: int, clients: int) -> list[str]:
    """A published project with ``items`` pairwise items and ``clients`` annotators; their API tokens."""
    db = open_database(url)
    with db.session() as s:
        project = create_project(s, "load", overlap=3, gold_rate=0.0)
        update_settings(
            s, project, status="published", purpose=PURPOSE, contact="bench@example.org"
        )
        tasks = [
            TaskIn.model_validate(
                {
                    "external_id": f"t{i}",
                    "prompt": f"def f{i}(x):\n",
                    "kind": "completion",
                    "language": "python",
                    "candidates": [
                        {"source": "a", "content": f"def f{i}(x):\n    return x + {i}\n"},
                        {"source": "b", "content": f"def f{i}(x):\n    return x - {i}\n"},
                    ],
                }
            )
            for i in range(items)
        ]
        import_tasks(s, project, tasks)
        pairs: dict[int, list[int]] = {}
        for task_id, cand_id in s.execute(
            select(Candidate.task_id, Candidate.id).join(Task).where(Task.project_id == project.id)
        ):
            pairs.setdefault(task_id, []).append(cand_id)
        rows = [
            {
                "project_id": project.id,
                "task_id": t,
                "candidate_ids": sorted(c),
                "candidate_key": candidate_key(c),
                "priority": 0,
                "counted": 0,
            }
            for t, c in pairs.items()
        ]
        ids = []
        for start in range(0, len(rows), 5000):
            ids += s.scalars(
                insert(Item).returning(Item.id, sort_by_parameter_order=True),
                rows[start : start + 5000],
            ).all()
        links = [
            {"item_id": i, "candidate_id": c}
            for i, r in zip(ids, rows, strict=True)
            for c in r["candidate_ids"]
        ]
        for start in range(0, len(links), 10000):
            s.execute(insert(ItemCandidate), links[start : start + 10000])
        s.commit()
        tokens = []
        for n in range(clients):
            user = create_user(
                s,
                f"ann{n}@example.org",
                f"Annotator {n}",
                "annotator",
                password="load-test-password",
                skills=["python"],
            )
            add_member(s, project, user, None)
            tokens.append(issue_token(s, user, "load")[1])
    db.dispose()
    return tokens


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def annotator(
    base: str, token: str, until: float, latencies: list[float], errors: list[str]
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        while time.perf_counter() < until:
            t0 = time.perf_counter()
            lease = client.post("/api/v1/projects/load/next").json()
            t1 = time.perf_counter()
            if "candidates" not in lease:
                errors.append(str(lease))
                return
            a, b = (c["id"] for c in lease["candidates"])
            r = client.post(
                f"/api/v1/assignments/{lease['assignment_id']}/judgment",
                json={"ranking": [a, b], "strength": 1, "active_seconds": 5},
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            t2 = time.perf_counter()
            if r.status_code != 200:
                errors.append(r.text[:200])
                return
            latencies += [t1 - t0, t2 - t1]


def run(url: str, args: argparse.Namespace, label: str) -> None:
    t0 = time.perf_counter()
    tokens = seed(url, args.items, args.clients)
    print(f"{label}: seeded {args.items} items in {time.perf_counter() - t0:.0f} s", flush=True)
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        env = {
            **os.environ,
            "CODEJURY_DATABASE_URL": url,
            "CODEJURY_DATA_DIR": data,
            "CODEJURY_LOG_LEVEL": "WARNING",
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "codejury",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
            ],
            env=env,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    if httpx.get(base + "/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            latencies: list[float] = []
            errors: list[str] = []
            until = time.perf_counter() + args.seconds
            threads = [
                threading.Thread(target=annotator, args=(base, tok, until, latencies, errors))
                for tok in tokens
            ]
            start = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - start
        finally:
            server.terminate()
            server.wait(10)
    judgments = len(latencies) // 2
    q = statistics.quantiles(sorted(latencies), n=100) if len(latencies) > 2 else [0.0] * 99
    print(
        f"{label}: {args.clients} clients, {judgments} judgments in {elapsed:.1f} s = {judgments / elapsed:.0f} judgments/s; "
        f"request latency p50 {q[49] * 1000:.1f} ms, p95 {q[94] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms"
        + (f"; {len(errors)} client errors, first: {errors[0]}" if errors else ""),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--postgres", default=PG)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{Path(tmp) / 'load.sqlite3'}", args, "sqlite")
    if not args.no_postgres:
        name = f"codejury_load_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            run(args.postgres.rsplit("/", 1)[0] + "/" + name, args, "postgresql")
        finally:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
