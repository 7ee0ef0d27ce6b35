"""Shared fixtures.

- ``db``: a ``Session`` on real SQLite and (again) on real PostgreSQL, rolled back after each test.
- ``database_url``: a fresh, migrated database of its own (SQLite file or PostgreSQL database), dropped
  after the test; for concurrency tests and servers.

PostgreSQL comes from ``CODEJURY_TEST_POSTGRES`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``);
set it to ``skip`` to run the SQLite half only.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from codejury.db import Database, open_database

PG_ADMIN_URL = os.environ.get(
    "CODEJURY_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ["sqlite", "postgresql"]


def _pg_available() -> bool:
    return PG_ADMIN_URL != "skip"


def _create_pg_database() -> str:
    name = f"codejury_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and not _pg_available():
        pytest.skip("PostgreSQL disabled with CODEJURY_TEST_POSTGRES=skip")
    return str(request.param)


@pytest.fixture(scope="session")
def migrated(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One migrated database per backend for the whole run."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        db = open_database(url)
        yield db
        db.dispose()
    else:
        url = _create_pg_database()
        db = open_database(url)
        yield db
        db.dispose()
        _drop_pg_database(url)


@pytest.fixture
def db(migrated: Database) -> Iterator[Session]:
    """A session inside an outer transaction that is rolled back after the test.

    Code under test may call ``commit()``: with ``create_savepoint`` it only releases a savepoint.
    """
    engine: Engine = migrated.engine
    with engine.connect() as conn:
        outer = conn.begin()
        session = Session(
            bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            session.close()
            outer.rollback()


@pytest.fixture(scope="session")
def template_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, empty database that fresh ones are copied from (much faster than migrating each)."""
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        open_database(f"sqlite:///{path}").dispose()
        with contextlib.closing(
            sqlite3.connect(path)
        ) as conn:  # fold the WAL into the file we copy
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        yield str(path)
    else:
        url = _create_pg_database()
        open_database(url).dispose()
        yield url.rsplit("/", 1)[1]
        _drop_pg_database(url)


@pytest.fixture
def database_url(backend: str, template_database: str, tmp_path: Path) -> Iterator[str]:
    """A fresh migrated database of its own, dropped afterwards."""
    if backend == "sqlite":
        path = tmp_path / "fresh.sqlite3"
        shutil.copyfile(template_database, path)
        yield f"sqlite:///{path}"
    else:
        name = f"codejury_test_{uuid.uuid4().hex[:12]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"'))
        admin.dispose()
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        yield url
        _drop_pg_database(url)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data folder that ``Settings`` picks up."""
    path = tmp_path / "data"
    monkeypatch.setenv("CODEJURY_DATA_DIR", str(path))
    monkeypatch.delenv("CODEJURY_DATABASE_URL", raising=False)
    return path
