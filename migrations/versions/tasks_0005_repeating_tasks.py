"""Repeating tasks: tasks.repeat (daily, weekdays, weekly, monthly) and tasks.repeat_of_id,
the task an occurrence follows — unique, so ticking a repeating task done creates its next
occurrence once even when two devices tick it at the same moment.

Revision ID: tasks_0005
Revises: tasks_0004
Create Date: 2026-12-01 15:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'tasks_0005'
down_revision = 'tasks_0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tasks') as batch:
        batch.add_column(sa.Column('repeat', sa.Enum('daily', 'weekdays', 'weekly', 'monthly', name='task_repeat', native_enum=False, create_constraint=True, length=8), nullable=True))
        batch.add_column(sa.Column('repeat_of_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_tasks_repeat_of_id_tasks'), 'tasks', ['repeat_of_id'], ['id'], ondelete='SET NULL')
        batch.create_unique_constraint(batch.f('uq_tasks_repeat_of_id'), ['repeat_of_id'])


def downgrade():
    with op.batch_alter_table('tasks') as batch:
        batch.drop_constraint(batch.f('uq_tasks_repeat_of_id'), type_='unique')
        batch.drop_constraint(batch.f('fk_tasks_repeat_of_id_tasks'), type_='foreignkey')
        batch.drop_column('repeat_of_id')
        batch.drop_constraint(batch.f('ck_tasks_task_repeat'), type_='check')
        batch.drop_column('repeat')
