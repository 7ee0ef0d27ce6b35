"""Fixtures for driving the app in process: a studio on a fresh database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from codejury.config import Settings
from codejury.db import Database
from codejury.web.app import create_app
from support.studio import Studio


@pytest.fixture
def studio(database_url: str, tmp_path: Path) -> Iterator[Studio]:
    db = Database(database_url)
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        secret_key="test-secret-key-0123456789",
    )
    app = create_app(settings, database=db, worker=False)
    with TestClient(app) as client:
        yield Studio(db, client)
    db.dispose()
