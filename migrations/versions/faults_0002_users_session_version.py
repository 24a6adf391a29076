"""users.session_version: part of every cookie session's id; logout raises it.

Revision ID: faults_0002
Revises: faults_0001
Create Date: 2026-12-01 14:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'faults_0002'
down_revision = 'faults_0001'
branch_labels = None
depends_on = None


# Plain ALTER TABLE (no batch copy): SQLite adds and drops a column in place, and a batch
# copy of `users` would lose its expression index `ix_users_login_lower`.
def upgrade():
    op.add_column('users', sa.Column('session_version', sa.Integer(), server_default=sa.text('0'), nullable=False))


def downgrade():
    op.drop_column('users', 'session_version')
