"""One active order per contact: orders.contact_key (the contact with case, spaces and
punctuation dropped) and a unique index on it over active orders only (partial, on
PostgreSQL and SQLite), so two posts at once cannot both pass. Existing orders keep a NULL
key: the rule holds for orders posted from now on.

Revision ID: cities_0002
Revises: cities_0001
Create Date: 2026-12-01 18:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cities_0002'
down_revision = 'cities_0001'
branch_labels = None
depends_on = None

ACTIVE = sa.text("status = 'active'")


def upgrade():
    with op.batch_alter_table('orders') as batch:
        batch.add_column(sa.Column('contact_key', sa.String(length=200), nullable=True))
    op.create_index(
        'ix_orders_one_active_per_contact',
        'orders',
        ['contact_key'],
        unique=True,
        postgresql_where=ACTIVE,
        sqlite_where=ACTIVE,
    )


def downgrade():
    op.drop_index('ix_orders_one_active_per_contact', table_name='orders')
    with op.batch_alter_table('orders') as batch:
        batch.drop_column('contact_key')
