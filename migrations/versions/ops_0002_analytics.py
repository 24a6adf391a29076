"""Analytics: `user_active_days` (one row per user per UTC day they used the app: daily
active users) and an index leading with the time column of each table the dashboard's
charts count per day (users, tasks created and done, event joins, attempts, orders, takes,
balance transactions by type), so each chart is a range scan of the days it shows.

Revision ID: ops_0002
Revises: market_0005
Create Date: 2026-12-01 17:31:05.457371

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ops_0002'
down_revision = 'market_0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_active_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_active_days_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('day', 'user_id', name=op.f('pk_user_active_days'))
    )
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_attempts_created', ['created_at', 'is_correct'], unique=False)

    with op.batch_alter_table('balance_transactions', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_transactions_type_created', ['type', 'created_at'], unique=False)

    with op.batch_alter_table('event_participants', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_participants_joined', ['joined_at'], unique=False)

    with op.batch_alter_table('order_takes', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_takes_taken', ['taken_at'], unique=False)

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_orders_created', ['created_at'], unique=False)

    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_tasks_created', ['created_at'], unique=False)
        batch_op.create_index('ix_analytics_tasks_done', ['done_at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_users_created', ['created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_users_created')

    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_tasks_done')
        batch_op.drop_index('ix_analytics_tasks_created')

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_orders_created')

    with op.batch_alter_table('order_takes', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_takes_taken')

    with op.batch_alter_table('event_participants', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_participants_joined')

    with op.batch_alter_table('balance_transactions', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_transactions_type_created')

    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_attempts_created')

    op.drop_table('user_active_days')
