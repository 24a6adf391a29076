"""The bot outbox: messages queued with the change that causes them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 21:39:19.072873

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outgoing_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('reply_markup', sa.JSON(), nullable=True),
    sa.Column('parse_mode', sa.String(length=16), nullable=True),
    sa.Column('dedupe_key', sa.String(length=200), nullable=True),
    sa.Column('status', sa.Enum('pending', 'sent', 'failed', 'blocked', name='message_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_messages')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outgoing_messages_dedupe_key'))
    )
    with op.batch_alter_table('outgoing_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outgoing_messages_chat_id'), ['chat_id'], unique=False)
        batch_op.create_index('ix_outgoing_messages_due', ['status', 'next_attempt_at'], unique=False)



def downgrade():
    with op.batch_alter_table('outgoing_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outgoing_messages_due')
        batch_op.drop_index(batch_op.f('ix_outgoing_messages_chat_id'))

    op.drop_table('outgoing_messages')
