"""The problem book: problems (with moderation status), attempts, and the learned ratings of
users (skill) and problems (difficulty).

Revision ID: problems_0001
Revises: 0002
Create Date: 2026-11-22 21:47:57.747054

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'problems_0001'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('problems',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('answer', sa.String(length=200), nullable=False),
    sa.Column('topic', sa.String(length=64), nullable=False),
    sa.Column('difficulty', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'rejected', name='problem_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('reject_reason', sa.String(length=500), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('moderated_by_id', sa.Integer(), nullable=True),
    sa.Column('moderated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('difficulty BETWEEN 1 AND 5', name=op.f('ck_problems_difficulty_range')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_problems_author_id_users')),
    sa.ForeignKeyConstraint(['moderated_by_id'], ['users.id'], name=op.f('fk_problems_moderated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problems'))
    )
    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problems_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_problems_status_topic', ['status', 'topic'], unique=False)

    op.create_table('user_ratings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Float(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_ratings_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_user_ratings'))
    )
    op.create_table('attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.String(length=200), nullable=False),
    sa.Column('is_correct', sa.Boolean(), nullable=False),
    sa.Column('predicted_success', sa.Float(), nullable=False),
    sa.Column('rated', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['problem_id'], ['problems.id'], name=op.f('fk_attempts_problem_id_problems'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_attempts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempts'))
    )
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempts_problem_id'), ['problem_id'], unique=False)
        batch_op.create_index('ix_attempts_user_created', ['user_id', 'created_at'], unique=False)
        batch_op.create_index('ix_attempts_user_problem', ['user_id', 'problem_id', 'is_correct'], unique=False)

    op.create_table('problem_ratings',
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Float(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['problem_id'], ['problems.id'], name=op.f('fk_problem_ratings_problem_id_problems'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('problem_id', name=op.f('pk_problem_ratings'))
    )


def downgrade():
    op.drop_table('problem_ratings')
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_attempts_user_problem')
        batch_op.drop_index('ix_attempts_user_created')
        batch_op.drop_index(batch_op.f('ix_attempts_problem_id'))

    op.drop_table('attempts')
    op.drop_table('user_ratings')
    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.drop_index('ix_problems_status_topic')
        batch_op.drop_index(batch_op.f('ix_problems_author_id'))

    op.drop_table('problems')
