"""Stars invoices this server issued: a payment is credited only for a stored payload.

Revision ID: faults_0001
Revises: market_0001
Create Date: 2026-12-01 14:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'faults_0001'
down_revision = 'market_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stars_invoices',
    sa.Column('payload', sa.String(length=128), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('stars', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paid_charge_id', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_stars_invoices_user_id_users')),
    sa.PrimaryKeyConstraint('payload', name=op.f('pk_stars_invoices'))
    )
    with op.batch_alter_table('stars_invoices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stars_invoices_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('stars_invoices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stars_invoices_user_id'))

    op.drop_table('stars_invoices')
