"""The market: orders, takes, balances and their audit trail, Stars payments,
idempotency keys, reviews, complaints and executors' preferences.

Revision ID: market_0001
Revises: botjobs_0001
Create Date: 2026-11-22 21:49:58.131308

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'market_0001'
down_revision = 'botjobs_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('balance_transactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.Enum('recharge', 'stars_topup', 'order_take', 'refund', name='transaction_type', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('balance_after', sa.BigInteger(), nullable=False),
    sa.Column('reference', sa.String(length=160), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_balance_transactions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_balance_transactions')),
    sa.UniqueConstraint('type', 'reference', name=op.f('uq_balance_transactions_type_reference'))
    )
    with op.batch_alter_table('balance_transactions', schema=None) as batch_op:
        batch_op.create_index('ix_balance_transactions_user', ['user_id', 'id'], unique=False)

    op.create_table('market_accounts',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('balance', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('balance >= 0', name=op.f('ck_market_accounts_balance_not_negative')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_market_accounts_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_market_accounts'))
    )
    op.create_table('market_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('cities', sa.JSON(), nullable=False),
    sa.Column('frequency', sa.Enum('instant', 'hourly', 'daily', 'off', name='notify_frequency', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_market_preferences_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_market_preferences'))
    )
    op.create_table('orders',
    sa.Column('id', sa.String(length=12), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('city', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('active', 'expired', 'deleted', 'closed_no_response', 'completed', name='order_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('takes_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_taken_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_executor_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('takes_count >= 0', name=op.f('ck_orders_takes_count_not_negative')),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], name=op.f('fk_orders_client_id_users')),
    sa.ForeignKeyConstraint(['completed_executor_id'], ['users.id'], name=op.f('fk_orders_completed_executor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_client_created', ['client_id', 'created_at'], unique=False)
        batch_op.create_index('ix_orders_feed', ['status', 'created_at'], unique=False)
        batch_op.create_index('ix_orders_status_expires_at', ['status', 'expires_at'], unique=False)

    op.create_table('stars_payments',
    sa.Column('telegram_payment_charge_id', sa.String(length=128), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('stars', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('payload', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_stars_payments_user_id_users')),
    sa.PrimaryKeyConstraint('telegram_payment_charge_id', name=op.f('pk_stars_payments'))
    )
    with op.batch_alter_table('stars_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stars_payments_user_id'), ['user_id'], unique=False)

    op.create_table('client_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.String(length=12), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('executor_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.SmallInteger(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_client_reviews_rating_range')),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], name=op.f('fk_client_reviews_client_id_users')),
    sa.ForeignKeyConstraint(['executor_id'], ['users.id'], name=op.f('fk_client_reviews_executor_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_client_reviews_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_reviews')),
    sa.UniqueConstraint('order_id', 'executor_id', name=op.f('uq_client_reviews_order_id_executor_id'))
    )
    with op.batch_alter_table('client_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_reviews_executor_id'), ['executor_id'], unique=False)

    op.create_table('executor_complaints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.String(length=12), nullable=False),
    sa.Column('executor_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['executor_id'], ['users.id'], name=op.f('fk_executor_complaints_executor_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_executor_complaints_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_executor_complaints')),
    sa.UniqueConstraint('order_id', 'executor_id', name=op.f('uq_executor_complaints_order_id_executor_id'))
    )
    op.create_table('order_takes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.String(length=12), nullable=False),
    sa.Column('executor_id', sa.Integer(), nullable=False),
    sa.Column('price', sa.BigInteger(), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('refunded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['executor_id'], ['users.id'], name=op.f('fk_order_takes_executor_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_takes_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_takes')),
    sa.UniqueConstraint('order_id', 'executor_id', name=op.f('uq_order_takes_order_id_executor_id'))
    )
    with op.batch_alter_table('order_takes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_takes_executor_id'), ['executor_id'], unique=False)

    op.create_table('idempotency_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('order_id', sa.String(length=12), nullable=False),
    sa.Column('take_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_idempotency_keys_order_id_orders')),
    sa.ForeignKeyConstraint(['take_id'], ['order_takes.id'], name=op.f('fk_idempotency_keys_take_id_order_takes')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_idempotency_keys_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_idempotency_keys_user_id_key'))
    )


def downgrade():
    op.drop_table('idempotency_keys')
    with op.batch_alter_table('order_takes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_takes_executor_id'))

    op.drop_table('order_takes')
    op.drop_table('executor_complaints')
    with op.batch_alter_table('client_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_reviews_executor_id'))

    op.drop_table('client_reviews')
    with op.batch_alter_table('stars_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stars_payments_user_id'))

    op.drop_table('stars_payments')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_status_expires_at')
        batch_op.drop_index('ix_orders_feed')
        batch_op.drop_index('ix_orders_client_created')

    op.drop_table('orders')
    op.drop_table('market_preferences')
    op.drop_table('market_accounts')
    with op.batch_alter_table('balance_transactions', schema=None) as batch_op:
        batch_op.drop_index('ix_balance_transactions_user')

    op.drop_table('balance_transactions')
