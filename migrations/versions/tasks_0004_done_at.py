"""When a task was done: tasks.done_at (the statistics count tasks done per day and this
week by it), indexed with the owner. Tasks already done take their last change as the
moment they were done.

Revision ID: tasks_0004
Revises: tasks_0003
Create Date: 2026-12-01 15:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'tasks_0004'
down_revision = 'tasks_0003'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('tasks', sa.Column('done_at', sa.DateTime(timezone=True), nullable=True))
    op.execute(sa.text('UPDATE tasks SET done_at = updated_at WHERE done'))
    op.create_index('ix_tasks_owner_done_at', 'tasks', ['owner_id', 'done_at'], unique=False)


def downgrade():
    op.drop_index('ix_tasks_owner_done_at', table_name='tasks')
    with op.batch_alter_table('tasks') as batch:
        batch.drop_column('done_at')
