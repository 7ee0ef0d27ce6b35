"""audit channel, item candidate key

- ``audit_events.via``: the channel of each change (web, api, cli, job); null for older events.
- ``items.candidate_key``: the item's candidate ids, ascending, joined by commas; unique per project,
  so that two concurrent ``codejury items`` runs cannot both create an item of the same candidates.

Revision ID: b1314cf6dc46
Revises: 1df69e3d1e53
Create Date: 2026-11-25 22:15:43.063448
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b1314cf6dc46'
down_revision: str | None = '1df69e3d1e53'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

logger = logging.getLogger('alembic.runtime.migration')

items = sa.table(
    'items',
    sa.column('id', sa.Integer()),
    sa.column('project_id', sa.Integer()),
    sa.column('candidate_ids', sa.JSON()),
    sa.column('candidate_key', sa.String(length=200)),
)


def upgrade() -> None:
    # Plain ALTER TABLE, no batch copy: on SQLite, copying ``items`` would drop the old table, and
    # with foreign keys on, dropping it deletes every judgment, assignment and link row through
    # ON DELETE CASCADE. SQLite adds a NOT NULL column only with a default, so the key starts empty
    # and is filled in before the unique index is built.
    op.add_column('audit_events', sa.Column('via', sa.String(length=8), nullable=True))
    op.add_column(
        'items',
        sa.Column('candidate_key', sa.String(length=200), nullable=False, server_default=''),
    )
    _backfill_candidate_keys()
    if op.get_bind().dialect.name != 'sqlite':  # SQLite cannot drop a default in place
        op.alter_column('items', 'candidate_key', server_default=None)
    op.create_index('uq_items_candidate_key', 'items', ['project_id', 'candidate_key'], unique=True)


def _backfill_candidate_keys() -> None:
    """Key every item by its candidate set. Where a project already holds one set more than once,
    the oldest item keeps the plain key and each later one gets ``"<key>#<item id>"``: every item is
    kept, with its judgments, and none breaks the unique index."""
    conn = op.get_bind()
    seen: set[tuple[int, str]] = set()
    keys: list[dict[str, object]] = []
    rows = conn.execute(
        sa.select(items.c.id, items.c.project_id, items.c.candidate_ids).order_by(items.c.id)
    )
    for item_id, project_id, candidate_ids in rows:
        key = ','.join(str(i) for i in sorted(int(c) for c in candidate_ids))
        if (project_id, key) in seen:
            logger.warning('item %s repeats the candidates of an older item (%s); kept', item_id, key)
            key = f'{key}#{item_id}'
        seen.add((project_id, key))
        keys.append({'item_id': item_id, 'key': key})
    update = (
        items.update()
        .where(items.c.id == sa.bindparam('item_id'))
        .values(candidate_key=sa.bindparam('key'))
    )
    for start in range(0, len(keys), 5000):
        conn.execute(update, keys[start : start + 5000])


def downgrade() -> None:
    # Native DROP COLUMN (SQLite 3.35+), again without copying the tables.
    op.drop_index('uq_items_candidate_key', table_name='items')
    op.drop_column('items', 'candidate_key')
    op.drop_column('audit_events', 'via')
