"""Each user's IANA time zone (sent by the Mini App at sign-in): pages and bot messages
show local times.

Revision ID: locale_0001
Revises: tasks_0005
Create Date: 2026-12-01 14:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'locale_0001'
down_revision = 'tasks_0005'
branch_labels = None
depends_on = None


# Plain ALTER TABLE (no batch copy): SQLite adds and drops a column in place, and a batch
# copy of `users` would lose its expression index on lower(login).
def upgrade():
    op.add_column('users', sa.Column('time_zone', sa.String(length=64), nullable=True))


def downgrade():
    op.drop_column('users', 'time_zone')
