"""Market categories and ticket types kept by the admin (issue 15): the table `choices`
(kind, key, English and Russian names, position, active).

Data: the deployment's configured lists (MARKET_CATEGORIES, TICKET_TYPES, read from the
app this migration runs in, the defaults without one) are written in their order, so a
deployment keeps exactly the categories and ticket types it had; a category an existing
order uses that the list no longer names is added as inactive (named by its key), so the
order still shows it and nothing new can take it. Seeding here, not at the first start:
the migration runs once, in one process, in the transaction that creates the table — no
two web workers race to write it and no read writes.

Revision ID: choices_0001
Revises: market_0006
Create Date: 2026-12-01 20:20:00

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'choices_0001'
down_revision = 'market_0006'
branch_labels = None
depends_on = None

DEFAULTS = {
    'category': [
        ('courier', 'Courier', 'Курьер'), ('repair', 'Repair', 'Ремонт'),
        ('cleaning', 'Cleaning', 'Уборка'), ('moving', 'Moving', 'Переезд'),
        ('tutoring', 'Tutoring', 'Репетиторство'), ('it', 'IT', 'IT'), ('other', 'Other', 'Другое'),
    ],
    'ticket_type': [('standard', 'Standard', 'Стандартный'), ('vip', 'VIP', 'VIP')],
}
SETTINGS = {'category': 'MARKET_CATEGORIES', 'ticket_type': 'TICKET_TYPES'}


def _configured(kind):
    """[(key, English, Russian)] as the app is configured (the defaults without an app)."""
    try:
        from flask import current_app

        keys = list(current_app.config[SETTINGS[kind]])
        names = current_app.config.get('CHOICE_NAMES', {}).get(kind, {})
    except (RuntimeError, KeyError):
        return DEFAULTS[kind]
    found = []
    for key in keys:
        label = names.get(key) or {}
        found.append((key, label.get('en') or key, label.get('ru') or label.get('en') or key))
    return found


def upgrade():
    choices = op.create_table('choices',
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('name_en', sa.String(length=64), nullable=False),
    sa.Column('name_ru', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'key', name=op.f('pk_choices'))
    )
    now = datetime.now(UTC)
    rows = []
    for kind in ('category', 'ticket_type'):
        for index, (key, name_en, name_ru) in enumerate(_configured(kind), start=1):
            rows.append({
                'kind': kind, 'key': key[:64], 'name_en': name_en[:64], 'name_ru': name_ru[:64],
                'position': index * 10, 'active': True, 'created_at': now, 'updated_at': now,
            })
    known = {row['key'] for row in rows if row['kind'] == 'category'}
    used = op.get_bind().execute(sa.text('SELECT DISTINCT category FROM orders ORDER BY category'))
    position = len(known) * 10
    for (key,) in used:
        if key and key not in known:
            position += 10
            rows.append({
                'kind': 'category', 'key': key[:64], 'name_en': key[:64], 'name_ru': key[:64],
                'position': position, 'active': False, 'created_at': now, 'updated_at': now,
            })
    if rows:
        op.bulk_insert(choices, rows)


def downgrade():
    op.drop_table('choices')
