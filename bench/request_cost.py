"""What one annotator request costs the server: milliseconds and SQL statements, no concurrency.

Seeds a project like ``studio_load.py`` does, then runs next + submit rounds in-process through the
ASGI app (no sockets, one request at a time), so the numbers are the server's own work per
request. Compare them with ``studio_load.py``: with 16 clients and no think time, a request waits
behind the others, so its latency is roughly 16 x this cost on one worker.

    .venv/bin/python bench/request_cost.py [--items 20000] [--rounds 400] [--postgres]

For where the time goes, run it under a sampling profiler, e.g. ``py-spy record --format raw -- …``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event, text

sys.path.insert(0, str(Path(__file__).parent))
from studio_load import PG, seed

from codejury.config import Settings
from codejury.db import open_database
from codejury.web.app import create_app


def measure(url: str, args: argparse.Namespace, label: str) -> None:
    tokens = seed(url, args.items, args.clients)
    db = open_database(url)
    statements = [0]

    @event.listens_for(db.engine, "before_cursor_execute")
    def count(*_: Any) -> None:
        statements[0] += 1

    with tempfile.TemporaryDirectory() as data:
        settings = Settings(data_dir=Path(data), database_url=url)
        app = create_app(settings, database=db, worker=False)
        costs: dict[str, list[tuple[float, int]]] = {"next": [], "submit": []}
        with TestClient(app) as client:
            for n in range(args.rounds):
                headers = {"Authorization": f"Bearer {tokens[n % len(tokens)]}"}
                statements[0] = 0
                t0 = time.perf_counter()
                lease = client.post("/api/v1/projects/load/next", headers=headers).json()
                costs["next"].append((time.perf_counter() - t0, statements[0]))
                a, b = (c["id"] for c in lease["candidates"])
                statements[0] = 0
                t0 = time.perf_counter()
                response = client.post(
                    f"/api/v1/assignments/{lease['assignment_id']}/judgment",
                    json={"ranking": [a, b], "strength": 1, "active_seconds": 5},
                    headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
                )
                costs["submit"].append((time.perf_counter() - t0, statements[0]))
                response.raise_for_status()
    db.dispose()
    for name, rows in costs.items():
        warm = rows[len(rows) // 4 :]  # leave out the first rounds: caches and first compiles
        ms = sorted(t * 1000 for t, _ in warm)
        q = statistics.quantiles(ms, n=100)
        print(
            f"{label} {name}: mean {statistics.fmean(ms):.2f} ms, p50 {q[49]:.2f}, p99 {q[98]:.2f}; "
            f"{statistics.fmean(s for _, s in warm):.1f} SQL statements",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=400)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        measure(f"sqlite:///{Path(tmp) / 'cost.sqlite3'}", args, "sqlite")
    if args.postgres:
        name = f"codejury_cost_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            measure(PG.rsplit("/", 1)[0] + "/" + name, args, "postgresql")
        finally:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
