"""The manual order of tasks: tasks.position (ascending, ties by id), indexed with the
owner for `sort=position` and for finding a moved task's neighbours.

Existing tasks keep the order they were shown in (newest first): position = -id * 65536,
the gap `webapp.tasks.models.POSITION_GAP` leaves between neighbours.

Revision ID: tasks_0002
Revises: tasks_0001
Create Date: 2026-12-01 15:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'tasks_0002'
down_revision = 'tasks_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('tasks', sa.Column('position', sa.BigInteger(), server_default=sa.text('0'), nullable=False))
    op.execute('UPDATE tasks SET position = -id * 65536')
    op.create_index('ix_tasks_owner_position', 'tasks', ['owner_id', 'position', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_tasks_owner_position', table_name='tasks')
    with op.batch_alter_table('tasks') as batch:
        batch.drop_column('position')
