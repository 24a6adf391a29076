"""Tasks as Vectora users know them: titles up to 500 characters, the user's own
categories (name unique per user, colour) and tags on tasks.

* task_categories: (owner_id, name) unique.
* task_tags: one row per (task, tag); owner_id copied from the task so that a user's tag
  counts and the tag filter read (owner_id, tag).
* tasks.category_id: SET NULL when the category goes; (owner_id, category_id) indexed
  for the category filter.

Revision ID: tasks_0001
Revises: faults_0003
Create Date: 2026-12-01 15:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'tasks_0001'
down_revision = 'faults_0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('task_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('color', sa.String(length=7), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_task_categories_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_categories')),
    sa.UniqueConstraint('owner_id', 'name', name=op.f('uq_task_categories_owner_id_name'))
    )
    op.create_table('task_tags',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=32), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_task_tags_owner_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_tags_task_id_tasks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('task_id', 'tag', name=op.f('pk_task_tags'))
    )
    op.create_index('ix_task_tags_owner_tag', 'task_tags', ['owner_id', 'tag'], unique=False)
    with op.batch_alter_table('tasks') as batch:
        batch.alter_column('title', existing_type=sa.String(length=200), type_=sa.String(length=500), existing_nullable=False)
        batch.add_column(sa.Column('category_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_tasks_category_id_task_categories'), 'task_categories', ['category_id'], ['id'], ondelete='SET NULL')
        batch.create_index('ix_tasks_owner_category', ['owner_id', 'category_id'], unique=False)


def downgrade():
    with op.batch_alter_table('tasks') as batch:
        batch.drop_index('ix_tasks_owner_category')
        batch.drop_constraint(batch.f('fk_tasks_category_id_task_categories'), type_='foreignkey')
        batch.drop_column('category_id')
        batch.alter_column('title', existing_type=sa.String(length=500), type_=sa.String(length=200), existing_nullable=False)
    op.drop_index('ix_task_tags_owner_tag', table_name='task_tags')
    op.drop_table('task_tags')
    op.drop_table('task_categories')
