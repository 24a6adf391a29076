"""periodic_runs: the last successful run of each periodic job (read by /health).

Revision ID: faults_0003
Revises: perf_0001
Create Date: 2026-12-01 14:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'faults_0003'
down_revision = 'perf_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('periodic_runs',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_periodic_runs'))
    )


def downgrade():
    op.drop_table('periodic_runs')
