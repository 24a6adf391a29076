"""Worked solutions and hints: problems.solution and problems.hints (up to three), the
hints each user has revealed (problem_hint_uses), and on each attempt how many hints were
used and whether it was a give-up.

Revision ID: problems_0002
Revises: tasks_0006
Create Date: 2026-12-01 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'problems_0002'
down_revision = 'tasks_0006'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('problems', sa.Column('solution', sa.Text(), nullable=True))
    op.add_column('problems', sa.Column('hints', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
    op.add_column('attempts', sa.Column('hints_used', sa.Integer(), server_default=sa.text('0'), nullable=False))
    op.add_column('attempts', sa.Column('gave_up', sa.Boolean(), server_default=sa.text('false'), nullable=False))
    op.create_table('problem_hint_uses',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('hints_used', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['problem_id'], ['problems.id'], name=op.f('fk_problem_hint_uses_problem_id_problems'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_problem_hint_uses_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'problem_id', name=op.f('pk_problem_hint_uses'))
    )


def downgrade():
    op.drop_table('problem_hint_uses')
    # plain DROP COLUMN (SQLite 3.35+): a batch copy would lose the expression index on
    # problems (lower(topic)), which SQLite cannot reflect
    op.drop_column('attempts', 'gave_up')
    op.drop_column('attempts', 'hints_used')
    op.drop_column('problems', 'hints')
    op.drop_column('problems', 'solution')
