"""Broadcasts: the `broadcasts` table (an admin's message to an audience) and, on the outbox,
each message's `broadcast_id` (the delivery report groups by it) and a `cancelled` status
(a broadcast withdrawn before those messages were sent).

Revision ID: ops_0001
Revises: tasks_0007
Create Date: 2026-12-01 16:51:39.132057

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ops_0001'
down_revision = 'tasks_0007'
branch_labels = None
depends_on = None

OLD_STATUSES = ('pending', 'sent', 'failed', 'blocked')
NEW_STATUSES = (*OLD_STATUSES, 'cancelled')


def _status(values):
    return sa.Enum(*values, name='message_status', native_enum=False, create_constraint=True, length=16)


def upgrade():
    op.create_table('broadcasts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('button', sa.JSON(), nullable=True),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_broadcasts_author_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcasts'))
    )
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_broadcasts_author_id'), ['author_id'], unique=False)

    with op.batch_alter_table('outgoing_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('broadcast_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_outgoing_messages_broadcast', ['broadcast_id', 'status'], unique=False)
        batch_op.drop_constraint(op.f('ck_outgoing_messages_message_status'), type_='check')
        batch_op.create_check_constraint(
            'message_status', sa.column('status').in_(NEW_STATUSES)
        )


def downgrade():
    op.execute(
        "UPDATE outgoing_messages SET status = 'failed', last_error = 'cancelled' "
        "WHERE status = 'cancelled'"
    )
    with op.batch_alter_table('outgoing_messages', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outgoing_messages_message_status'), type_='check')
        batch_op.create_check_constraint(
            'message_status', sa.column('status').in_(OLD_STATUSES)
        )
        batch_op.drop_index('ix_outgoing_messages_broadcast')
        batch_op.drop_column('broadcast_id')

    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_broadcasts_author_id'))

    op.drop_table('broadcasts')
