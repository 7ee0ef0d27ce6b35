"""``codejury demo``: build the HumanEval demo on the data folder, print the accounts, serve it."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from codejury.cli.common import console, err_console, reported

if TYPE_CHECKING:
    from codejury.config import Settings
    from codejury.db import Database


def demo(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port."),
    tasks: int | None = typer.Option(
        None, "--tasks", min=1, max=164, help="HumanEval tasks to use (default: all 164)."
    ),
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Data folder (default: CODEJURY_DATA_DIR or ./codejury-data)."
    ),
    build_only: bool = typer.Option(False, "--build-only", help="Build the demo, do not serve."),
) -> None:
    """Build the demo project (idempotent) and serve the studio with it."""
    if data_dir is not None:
        os.environ["CODEJURY_DATA_DIR"] = str(data_dir)
        os.environ.pop("CODEJURY_DATABASE_URL", None)
    from codejury.config import Settings as AppSettings
    from codejury.db import open_database
    from codejury.demo import build_demo

    started = time.perf_counter()
    settings = AppSettings(demo=True)
    settings.ensure_data_dir()
    with reported():
        database = open_database(settings.resolved_database_url)
        report = build_demo(database, settings, tasks=tasks, log=lambda m: console.print(m))
    if not report.sandbox:
        err_console.print(
            "[yellow]The sandbox is unavailable, so candidates carry no execution evidence and "
            f"mutants are unverified.[/yellow] {report.sandbox_message}",
            soft_wrap=True,
        )
    console.print(
        f"Demo project [bold]{report.project}[/bold]: {report.tasks} tasks, "
        f"{report.candidates} candidates, {report.items} items ({report.gold_items} gold), "
        f"built in {report.seconds:.1f} s. Data: {settings.data_dir.resolve()}"
    )
    console.print("Accounts (demo passwords; do not use this data folder for real work):")
    for email, role, password in report.accounts:
        console.print(f"  {role:<10} {email:<24} {password}", highlight=False)
    if build_only:
        return
    _serve(settings, database, host, port, started)


def _serve(settings: Settings, database: Database, host: str, port: int, started: float) -> None:
    import uvicorn

    from codejury.web.app import create_app

    app = create_app(settings, database=database)
    console.print(
        f"Open http://{host}:{port}/ (ready {time.perf_counter() - started:.1f} s after start)"
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
