"""An index on tasks (owner_id, due_at): the due filters, the calendar's month and the
`due` sort read one owner's due times in order.

Revision ID: tasks_0007
Revises: tickets_0001
Create Date: 2026-12-01 17:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'tasks_0007'
down_revision = 'tickets_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_tasks_owner_due', 'tasks', ['owner_id', 'due_at'], unique=False)


def downgrade():
    op.drop_index('ix_tasks_owner_due', table_name='tasks')
