"""Ticket types a questionnaire's design offers that the configured list does not name (a
type only old forms used, kept in the default design by tickets_0001) become inactive
choices with the design's names: the questionnaire now offers the admin's ticket types
(`webapp.tickets.services.fields_of`), and a form that chose such a type still shows its
name while nothing new can take it.

Revision ID: choices_0002
Revises: ops_0003
Create Date: 2026-12-01 21:00:00

"""
import json
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'choices_0002'
down_revision = 'ops_0003'
branch_labels = None
depends_on = None

choices = sa.table(
    'choices',
    sa.column('kind', sa.String), sa.column('key', sa.String), sa.column('name_en', sa.String),
    sa.column('name_ru', sa.String), sa.column('position', sa.Integer),
    sa.column('active', sa.Boolean), sa.column('created_at', sa.DateTime(timezone=True)),
    sa.column('updated_at', sa.DateTime(timezone=True)),
)


def upgrade():
    bind = op.get_bind()
    known = set(bind.execute(sa.text("SELECT key FROM choices WHERE kind = 'ticket_type'")).scalars())
    last = bind.execute(sa.text("SELECT MAX(position) FROM choices WHERE kind = 'ticket_type'")).scalar() or 0
    now = datetime.now(UTC)
    rows = []
    for (fields,) in bind.execute(sa.text('SELECT fields FROM questionnaire_versions ORDER BY id')):
        specs = json.loads(fields) if isinstance(fields, str) else (fields or [])
        for spec in specs:
            if spec.get('key') != 'ticket_type':
                continue
            for option in spec.get('options') or []:
                key, label = option.get('value'), option.get('label') or {}
                if not key or key in known:
                    continue
                known.add(key)
                last += 10
                rows.append({
                    'kind': 'ticket_type', 'key': key[:64],
                    'name_en': (label.get('en') or key)[:64],
                    'name_ru': (label.get('ru') or label.get('en') or key)[:64],
                    'position': last, 'active': False, 'created_at': now, 'updated_at': now,
                })
    if rows:
        op.bulk_insert(choices, rows)


def downgrade():
    pass  # the rows stay: choices_0001's downgrade drops the table
