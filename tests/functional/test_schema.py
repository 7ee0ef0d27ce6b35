from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.orm import Session

from codejury.db.models import Base


def test_migrations_match_models(db: Session) -> None:
    ctx = MigrationContext.configure(db.connection(), opts={"compare_type": False})
    assert compare_metadata(ctx, Base.metadata) == []
