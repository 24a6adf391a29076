"""A broadcast is queued by a background job, not by the request that sends it:
broadcasts.queued_at is when its messages were queued (NULL while it is preparing). Every
existing broadcast was queued when it was made, so it takes its created_at.

Revision ID: ops_0003
Revises: choices_0001
Create Date: 2026-12-01 20:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ops_0003'
down_revision = 'choices_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('broadcasts') as batch:
        batch.add_column(sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True))
    op.execute('UPDATE broadcasts SET queued_at = created_at')
    op.create_index(
        'ix_broadcasts_preparing',
        'broadcasts',
        ['id'],
        postgresql_where=sa.text('queued_at IS NULL'),
        sqlite_where=sa.text('queued_at IS NULL'),
    )


def downgrade():
    op.drop_index('ix_broadcasts_preparing', table_name='broadcasts')
    with op.batch_alter_table('broadcasts') as batch:
        batch.drop_column('queued_at')
