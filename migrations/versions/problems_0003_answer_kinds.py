"""Answer kinds: problems.answer_kind (text as before, number with an optional tolerance,
choice), problems.tolerance, and for a choice its options (problems.choices) and the indexes
of the correct ones (problems.correct_choices). Existing problems are `text`.

Revision ID: problems_0003
Revises: market_0004
Create Date: 2026-12-01 17:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'problems_0003'
down_revision = 'market_0004'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('problems', sa.Column('answer_kind', sa.String(length=16), server_default='text', nullable=False))
    op.add_column('problems', sa.Column('tolerance', sa.Float(), nullable=True))
    op.add_column('problems', sa.Column('choices', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
    op.add_column('problems', sa.Column('correct_choices', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
    if op.get_bind().dialect.name != 'sqlite':  # SQLite cannot add a constraint in place
        op.create_check_constraint(
            op.f('ck_problems_answer_kind'), 'problems', "answer_kind IN ('text', 'number', 'choice')"
        )


def downgrade():
    # plain DROP COLUMN: a batch copy would lose the expression index on problems
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('ck_problems_answer_kind'), 'problems', type_='check')
    op.drop_column('problems', 'correct_choices')
    op.drop_column('problems', 'choices')
    op.drop_column('problems', 'tolerance')
    op.drop_column('problems', 'answer_kind')
