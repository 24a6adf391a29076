"""Review lists newest first: client_reviews by (executor_id, id) for the reviews about an
executor (their profile, `about_me`), which replaces the index on executor_id alone, and by
(client_id, id) for the reviews a client wrote (`mine`).

Revision ID: market_0003
Revises: ops_0001
Create Date: 2026-12-01 17:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'market_0003'
down_revision = 'ops_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('client_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_client_reviews_executor', ['executor_id', 'id'], unique=False)
        batch_op.create_index('ix_client_reviews_client', ['client_id', 'id'], unique=False)
        batch_op.drop_index(batch_op.f('ix_client_reviews_executor_id'))


def downgrade():
    with op.batch_alter_table('client_reviews', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_client_reviews_executor_id'), ['executor_id'], unique=False
        )
        batch_op.drop_index('ix_client_reviews_client')
        batch_op.drop_index('ix_client_reviews_executor')
