"""Finding orders: orders.search_text, the description casefolded in Python (SQLite's
lower() knows only ASCII letters, so «ТУЛА» and «тула» would differ there), filled for the
existing rows; on PostgreSQL a trigram GIN index on it (pg_trgm, a trusted extension) serves
`search=` as `LIKE '%…%'`.
* the feed's `sort=ending` (soonest to expire first): ix_orders_status_expires_at gains `id`
  (ix_orders_status_expires_at_id), so the page and its count walk it; the sweeps use its
  prefix as before.

Revision ID: cities_0001
Revises: problems_0005
Create Date: 2026-12-01 17:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cities_0001'
down_revision = 'problems_0005'
branch_labels = None
depends_on = None

orders = sa.table(
    'orders',
    sa.column('id', sa.String),
    sa.column('description', sa.Text),
    sa.column('search_text', sa.Text),
)
BATCH = 1000


def fold(text):
    """As webapp.market.services.orders.fold (revisions never import app code)."""
    return ' '.join(text.casefold().replace('ё', 'е').split())


def upgrade():
    with op.batch_alter_table('orders') as batch:
        batch.add_column(sa.Column('search_text', sa.Text(), server_default='', nullable=False))
    conn = op.get_bind()
    rows = conn.execute(sa.select(orders.c.id, orders.c.description)).all()
    update = (
        orders.update()
        .where(orders.c.id == sa.bindparam('order_id'))
        .values(search_text=sa.bindparam('folded'))
    )
    for start in range(0, len(rows), BATCH):
        batch_rows = rows[start : start + BATCH]
        conn.execute(
            update, [{'order_id': row.id, 'folded': fold(row.description)} for row in batch_rows]
        )
    op.drop_index('ix_orders_status_expires_at', table_name='orders')
    op.create_index('ix_orders_status_expires_at_id', 'orders', ['status', 'expires_at', 'id'])
    if conn.dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.create_index(
            'ix_orders_search_trgm',
            'orders',
            ['search_text'],
            postgresql_using='gin',
            postgresql_ops={'search_text': 'gin_trgm_ops'},
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_orders_search_trgm', table_name='orders')
    op.drop_index('ix_orders_status_expires_at_id', table_name='orders')
    op.create_index('ix_orders_status_expires_at', 'orders', ['status', 'expires_at'])
    with op.batch_alter_table('orders') as batch:
        batch.drop_column('search_text')
