"""The community profile on users (city, sports, level, about) and the secret of each
user's personal calendar feed.

Revision ID: profile_0001
Revises: locale_0001
Create Date: 2026-12-01 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'profile_0001'
down_revision = 'locale_0001'
branch_labels = None
depends_on = None


# Plain ALTER TABLE (no batch copy): a batch copy of `users` would lose its expression
# index on lower(login). The unique secret is a unique index, which SQLite adds in place.
def upgrade():
    op.add_column('users', sa.Column('city_id', sa.Integer(), nullable=True))
    op.add_column(
        'users', sa.Column('sports', sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
    )
    op.add_column(
        'users',
        sa.Column('level', sa.String(length=16), server_default=sa.text("'any'"), nullable=False),
    )
    op.add_column(
        'users',
        sa.Column('about', sa.String(length=500), server_default=sa.text("''"), nullable=False),
    )
    op.add_column('users', sa.Column('calendar_secret', sa.String(length=64), nullable=True))
    op.create_index(
        'ix_users_calendar_secret', 'users', ['calendar_secret'], unique=True
    )


def downgrade():
    op.drop_index('ix_users_calendar_secret', table_name='users')
    for column in ('calendar_secret', 'about', 'level', 'sports', 'city_id'):
        op.drop_column('users', column)
