"""``codejury db``: schema migrations."""

from __future__ import annotations

import typer

from codejury.cli.common import console, database

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade() -> None:
    """Apply every pending migration."""
    from codejury.db.migrate import current

    db = database()  # opening applies migrations
    console.print(f"database at revision {current(db.engine)}")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
