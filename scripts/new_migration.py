"""Autogenerate an Alembic migration against a scratch SQLite database: python scripts/new_migration.py "message"."""

import sys
import tempfile
from pathlib import Path

from alembic import command

from codejury.db.engine import make_engine
from codejury.db.migrate import alembic_config, upgrade

with tempfile.TemporaryDirectory() as tmp:
    engine = make_engine(f"sqlite:///{Path(tmp) / 'scratch.sqlite3'}")
    upgrade(engine)
    command.revision(alembic_config(engine), message=sys.argv[1], autogenerate=True)
