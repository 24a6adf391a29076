"""The training log: one row per logged exercise (weight in grams, reps, sets, when),
indexed for a user's latest entries, of all exercises or of one.

Revision ID: training_0001
Revises: events_0001
Create Date: 2026-12-01 17:03:32.654727

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'training_0001'
down_revision = 'events_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('training_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('exercise', sa.String(length=100), nullable=False),
    sa.Column('exercise_key', sa.String(length=100), nullable=False),
    sa.Column('weight_g', sa.Integer(), nullable=False),
    sa.Column('reps', sa.Integer(), nullable=False),
    sa.Column('sets', sa.Integer(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('reps >= 1', name=op.f('ck_training_entries_reps_positive')),
    sa.CheckConstraint('sets >= 1', name=op.f('ck_training_entries_sets_positive')),
    sa.CheckConstraint('weight_g >= 0', name=op.f('ck_training_entries_weight_not_negative')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_training_entries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_entries'))
    )
    with op.batch_alter_table('training_entries', schema=None) as batch_op:
        batch_op.create_index('ix_training_entries_user_done', ['user_id', 'done_at', 'id'], unique=False)
        batch_op.create_index('ix_training_entries_user_exercise', ['user_id', 'exercise_key', 'done_at', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('training_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_training_entries_user_exercise')
        batch_op.drop_index('ix_training_entries_user_done')

    op.drop_table('training_entries')
