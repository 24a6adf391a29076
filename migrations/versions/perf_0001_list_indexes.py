"""Indexes that match every list's filters and order (the EXPLAIN test in
tests/test_query_plans.py fails on a sequential scan of a big table).

* orders: the feed, one index per filter combination (none, category, city, both), each
  (…, status, created_at, id) INCLUDE (expires_at) — the page and its bounded count walk it
  and stop; it replaces ix_orders_feed (status, created_at).
* problems: the catalogue (status, id), by topic (status, lower(topic), id), the moderation
  queue (status, updated_at, id); the topic chips read (status, topic) of live problems
  only (partial), replacing ix_problems_status_topic.
* ticket_forms: the review list (all but drafts, newest first) (created_at, id).
* users: staff's list by role (role, id).

Revision ID: perf_0001
Revises: faults_0002
Create Date: 2026-12-01 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'perf_0001'
down_revision = 'faults_0002'
branch_labels = None
depends_on = None

FEEDS = ((), ('category',), ('city',), ('category', 'city'))
LIVE = sa.text('deleted_at IS NULL')


def upgrade():
    op.drop_index('ix_orders_feed', table_name='orders')
    for filters in FEEDS:
        op.create_index(
            '_'.join(('ix_orders_feed', *filters)),
            'orders',
            [*filters, 'status', 'created_at', 'id'],
            postgresql_include=['expires_at'],
        )
    op.drop_index('ix_problems_status_topic', table_name='problems')
    op.create_index(
        'ix_problems_live_status_topic',
        'problems',
        ['status', 'topic'],
        postgresql_where=LIVE,
        sqlite_where=LIVE,
    )
    op.create_index('ix_problems_status_id', 'problems', ['status', 'id'])
    op.create_index(
        'ix_problems_status_topic_lower', 'problems', ['status', sa.text('lower(topic)'), 'id']
    )
    op.create_index('ix_problems_status_updated', 'problems', ['status', 'updated_at', 'id'])
    op.create_index('ix_ticket_forms_created', 'ticket_forms', ['created_at', 'id'])
    op.create_index('ix_users_role', 'users', ['role', 'id'])


def downgrade():
    op.drop_index('ix_users_role', table_name='users')
    op.drop_index('ix_ticket_forms_created', table_name='ticket_forms')
    op.drop_index('ix_problems_status_updated', table_name='problems')
    op.drop_index('ix_problems_status_topic_lower', table_name='problems')
    op.drop_index('ix_problems_status_id', table_name='problems')
    op.drop_index('ix_problems_live_status_topic', table_name='problems')
    op.create_index('ix_problems_status_topic', 'problems', ['status', 'topic'])
    for filters in FEEDS:
        op.drop_index('_'.join(('ix_orders_feed', *filters)), table_name='orders')
    op.create_index('ix_orders_feed', 'orders', ['status', 'created_at'])
