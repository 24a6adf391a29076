"""A checklist inside a task: tasks.items, a JSON list of {"text", "done"} (at most 50,
checked by the schemas); existing tasks start with an empty one.

Revision ID: tasks_0003
Revises: tasks_0002
Create Date: 2026-12-01 15:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'tasks_0003'
down_revision = 'tasks_0002'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('tasks', sa.Column('items', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))


def downgrade():
    with op.batch_alter_table('tasks') as batch:
        batch.drop_column('items')
