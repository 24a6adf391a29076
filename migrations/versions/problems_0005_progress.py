"""Progress: attempts.rating_after (the user's rating after each attempt, for the rating
chart) and problem_leaderboard_members (who opted in to the per-topic leaderboards).

Revision ID: problems_0005
Revises: ops_0002
Create Date: 2026-12-01 17:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'problems_0005'
down_revision = 'ops_0002'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('attempts', sa.Column('rating_after', sa.Float(), nullable=True))
    op.create_table('problem_leaderboard_members',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_problem_leaderboard_members_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_problem_leaderboard_members'))
    )


def downgrade():
    op.drop_table('problem_leaderboard_members')
    op.drop_column('attempts', 'rating_after')
