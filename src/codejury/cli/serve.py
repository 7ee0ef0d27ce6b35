"""``codejury serve`` (the studio) and ``codejury worker`` (scheduled jobs on their own)."""

from __future__ import annotations

import os
import time

import typer

from codejury.cli.common import console, database, settings


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port."),
    workers: int = typer.Option(1, help="Server processes."),
    worker: bool = typer.Option(
        True, "--worker/--no-worker", help="Run the scheduled jobs in this process."
    ),
) -> None:
    """Serve the studio and the REST API (migrations are applied at start-up)."""
    import uvicorn

    s = settings()
    database()  # migrate once, before any server process starts
    if not worker:
        os.environ["CODEJURY_NO_WORKER"] = "1"
    console.print(
        f"CodeJury on http://{host}:{port}  (API docs: /api/docs, data: {s.data_dir.resolve()})"
    )
    uvicorn.run(
        "codejury.web.asgi:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=False,  # forwarded headers are honoured only from CODEJURY_TRUSTED_PROXIES
        access_log=False,
    )


def worker_cmd(
    interval: float = typer.Option(30.0, help="Seconds between rounds."),
    once: bool = typer.Option(False, help="Run every job once and exit."),
) -> None:
    """Run the scheduled jobs (lease expiry, auto-approval, escalations) without a server."""
    from codejury.jobs import run_once

    db = database()
    while True:
        done = run_once(db)
        console.print(", ".join(f"{k}: {v}" for k, v in done.items()) or "no jobs")
        if once:
            return
        time.sleep(interval)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("worker")(worker_cmd)
