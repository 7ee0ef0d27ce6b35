"""Storage: models, engines, sessions and migrations. The only package that sets up ``sqlalchemy.orm``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from codejury.db.engine import make_engine, session_factory


@dataclass
class Database:
    """An engine and its session factory, for one database URL."""

    url: str
    engine_options: dict[str, Any] = field(default_factory=dict)
    engine: Engine = field(init=False)
    sessions: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self.engine = make_engine(self.url, **self.engine_options)
        self.sessions = session_factory(self.engine)

    def upgrade(self) -> None:
        from codejury.db.migrate import upgrade

        upgrade(self.engine)

    def session(self) -> Session:
        return self.sessions()

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, migrate: bool = True) -> Database:
    db = Database(url)
    if migrate:
        db.upgrade()
    return db
