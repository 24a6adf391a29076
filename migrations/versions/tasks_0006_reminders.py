"""Due reminders from the bot: tasks.remind (at_due, 1h, 1d), tasks.remind_at (when the next
reminder goes out: the due time minus the lead, or a snoozed time; indexed for the job that
finds them) and tasks.reminded_at (the reminder time a message was queued for: each is sent
once).

Revision ID: tasks_0006
Revises: profile_0001
Create Date: 2026-12-01 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'tasks_0006'
down_revision = 'profile_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tasks') as batch:
        batch.add_column(sa.Column('remind', sa.Enum('at_due', '1h', '1d', name='task_remind', native_enum=False, create_constraint=True, length=8), nullable=True))
        batch.add_column(sa.Column('remind_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_tasks_remind_at', 'tasks', ['remind_at'], unique=False)


def downgrade():
    op.drop_index('ix_tasks_remind_at', table_name='tasks')
    with op.batch_alter_table('tasks') as batch:
        batch.drop_column('reminded_at')
        batch.drop_column('remind_at')
        batch.drop_constraint(batch.f('ck_tasks_task_remind'), type_='check')
        batch.drop_column('remind')
