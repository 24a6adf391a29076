"""The instant-mode cooldown: market_preferences.last_announced_at, when the executor was
last sent an instant announcement (none is sent again within
MARKET_INSTANT_COOLDOWN_MINUTES of it).

Revision ID: market_0005
Revises: problems_0004
Create Date: 2026-12-01 17:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'market_0005'
down_revision = 'problems_0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('market_preferences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_announced_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('market_preferences', schema=None) as batch_op:
        batch_op.drop_column('last_announced_at')
