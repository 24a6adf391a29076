"""The instant-mode cooldown per user: market_preferences.instant_cooldown_minutes (5 to 15,
checked by the database); NULL keeps the deployment's MARKET_INSTANT_COOLDOWN_MINUTES, so
every existing row keeps what it had.

Revision ID: market_0006
Revises: cities_0002
Create Date: 2026-12-01 20:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'market_0006'
down_revision = 'cities_0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('market_preferences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instant_cooldown_minutes', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f('ck_market_preferences_instant_cooldown_range'),
            'instant_cooldown_minutes BETWEEN 5 AND 15',
        )


def downgrade():
    with op.batch_alter_table('market_preferences', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('ck_market_preferences_instant_cooldown_range'), type_='check'
        )
        batch_op.drop_column('instant_cooldown_minutes')
