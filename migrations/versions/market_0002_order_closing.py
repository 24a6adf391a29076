"""Closing orders: two more order statuses, `withdrawn` (its client closed it before anyone
took it) and `closed` (its client closed it after takes); and an index on
orders.completed_executor_id, which an executor's completed orders are counted by.

Revision ID: market_0002
Revises: training_0001
Create Date: 2026-12-01 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'market_0002'
down_revision = 'training_0001'
branch_labels = None
depends_on = None

OLD = ('active', 'expired', 'deleted', 'closed_no_response', 'completed')
NEW = (*OLD, 'withdrawn', 'closed')


def _statuses(values):
    return "status IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_orders_order_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_orders_order_status'), _statuses(NEW))
        batch_op.create_index(
            batch_op.f('ix_orders_completed_executor_id'), ['completed_executor_id'], unique=False
        )


def downgrade():
    # Orders closed by their clients become `deleted` (an admin's close): the old set has
    # no closer word, and the constraint would refuse them.
    op.execute(
        sa.text("UPDATE orders SET status = 'deleted' WHERE status IN ('withdrawn', 'closed')")
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_completed_executor_id'))
        batch_op.drop_constraint(op.f('ck_orders_order_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_orders_order_status'), _statuses(OLD))
