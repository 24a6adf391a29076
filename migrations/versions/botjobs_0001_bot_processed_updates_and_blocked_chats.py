"""The bot: updates handled once (`processed_updates`) and chats that blocked it (`blocked_chats`).

Revision ID: botjobs_0001
Revises: modules_0001
Create Date: 2026-11-22 21:56:13.116307

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'botjobs_0001'
down_revision = 'modules_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('blocked_chats',
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('blocked_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('chat_id', name=op.f('pk_blocked_chats'))
    )
    op.create_table('processed_updates',
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('update_id', name=op.f('pk_processed_updates'))
    )
    with op.batch_alter_table('processed_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processed_updates_processed_at'), ['processed_at'], unique=False)



def downgrade():
    with op.batch_alter_table('processed_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processed_updates_processed_at'))

    op.drop_table('processed_updates')
    op.drop_table('blocked_chats')
