"""What every command shares: settings, the database, console output and error reporting."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from codejury import logs
from codejury.config import Settings
from codejury.db import Database, open_database
from codejury.errors import CodeJuryError, InvalidInput

console = Console()
err_console = Console(stderr=True)


@dataclass
class _State:
    verbose: bool = False


state = _State()


@cache
def settings() -> Settings:
    s = Settings()
    logs.configure("DEBUG" if state.verbose else "WARNING", s.log_json)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return s


@cache
def database() -> Database:
    s = settings()
    s.ensure_data_dir()
    return open_database(s.resolved_database_url)


@contextmanager
def session() -> Iterator[Session]:
    """A session on the configured database; CodeJury errors become a clear message and exit code 1."""
    with reported(), database().session() as s:
        yield s


@contextmanager
def reported() -> Iterator[None]:
    try:
        yield
    except InvalidInput as exc:
        err_console.print(f"[red]error:[/red] {exc.args[0]}", highlight=False, soft_wrap=True)
        for problem in exc.problems:
            err_console.print(problem, highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(1)
    except CodeJuryError as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
