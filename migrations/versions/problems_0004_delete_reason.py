"""Deletion with a reason: problems.deleted_by_id and problems.delete_reason (moderators and
admins delete with a reason the author sees). deleted_by_id has no foreign key: SQLite
cannot add one in place, and a batch copy of problems would lose its expression index
(users are never removed, so the id always names someone).

Revision ID: problems_0004
Revises: problems_0003
Create Date: 2026-12-01 17:25:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'problems_0004'
down_revision = 'problems_0003'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('problems', sa.Column('deleted_by_id', sa.Integer(), nullable=True))
    op.add_column('problems', sa.Column('delete_reason', sa.String(length=500), nullable=True))


def downgrade():
    # plain DROP COLUMN: a batch copy would lose the expression index on problems
    op.drop_column('problems', 'delete_reason')
    op.drop_column('problems', 'deleted_by_id')
