"""A time zone the user chose on /me stays: devices' reports at sign-in no longer change it.

Revision ID: locale_0002
Revises: market_0003
Create Date: 2026-12-01 17:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'locale_0002'
down_revision = 'market_0003'
branch_labels = None
depends_on = None


# Plain ALTER TABLE (no batch copy), as locale_0001: SQLite adds the column in place.
def upgrade():
    op.add_column(
        'users',
        sa.Column('time_zone_chosen', sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade():
    op.drop_column('users', 'time_zone_chosen')
