"""Questionnaires the organiser designs (issue 14).

* questionnaires: the default one (is_default TRUE) and at most one per event;
* questionnaire_versions: each design, never changed once written (ordered fields as JSON);
* ticket_forms: answers (JSON) to a questionnaire version, the applicant's notes and the
  text the admins' search looks in, instead of today's fixed columns;
* ticket_form_notes: admins' internal notes on a form.

Data: the default questionnaire's version 1 is today's questions (ticket types as
configured, plus any type an existing form used), and every existing form's columns are
copied into its answers, so every form stays as it was. The downgrade copies the default
design's answers back into the columns.

Revision ID: tickets_0001
Revises: market_0002
Create Date: 2026-12-01 17:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'tickets_0001'
down_revision = 'market_0002'
branch_labels = None
depends_on = None

OLD_COLUMNS = ('name', 'email', 'phone', 'ticket_type', 'quantity', 'dietary_requirements', 'accessibility_needs')
TEXT_KEYS = ('name', 'email', 'phone', 'dietary_requirements', 'accessibility_needs')
DEFAULT_TYPES = {'standard': {'en': 'Standard', 'ru': 'Стандартный'}, 'vip': {'en': 'VIP', 'ru': 'VIP'}}


def _configured_types():
    try:
        from flask import current_app

        keys = list(current_app.config['TICKET_TYPES'])
        names = current_app.config.get('CHOICE_NAMES', {}).get('ticket_type', {})
        return keys, names
    except (RuntimeError, KeyError):  # no app: the defaults
        return list(DEFAULT_TYPES), DEFAULT_TYPES


def _design(type_keys, names):
    def field(key, kind, en, ru, **more):
        return {
            'key': key, 'kind': kind, 'label': {'en': en, 'ru': ru}, 'help': {'en': '', 'ru': ''},
            'required': False, 'options': [], 'min_length': None, 'max_length': None,
            'min_value': None, 'max_value': None, 'integer': False, 'min_date': None,
            'max_date': None, **more,
        }

    options = []
    for key in type_keys:
        found = names.get(key) or {}
        options.append({'value': key, 'label': {'en': found.get('en') or key, 'ru': found.get('ru') or found.get('en') or key}})
    return [
        field('name', 'text', 'Name', 'Имя', required=True, max_length=200),
        field('email', 'email', 'Email', 'Эл. почта', required=True),
        field('phone', 'phone', 'Phone', 'Телефон', required=True),
        field('ticket_type', 'choice', 'Ticket type', 'Тип билета', required=True, options=options),
        field('quantity', 'number', 'How many tickets (1–10)', 'Сколько билетов (1–10)', required=True, integer=True, min_value=1, max_value=10),
        field('dietary_requirements', 'long_text', 'Dietary requirements', 'Пищевые ограничения', max_length=500),
        field('accessibility_needs', 'long_text', 'Accessibility needs', 'Особые потребности (доступность)', max_length=500),
    ]


def upgrade():
    op.create_table('questionnaires',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(event_id IS NULL AND is_default IS NOT NULL) OR (event_id IS NOT NULL AND is_default IS NULL)', name=op.f('ck_questionnaires_default_or_event')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_questionnaires_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaires')),
    sa.UniqueConstraint('event_id', name=op.f('uq_questionnaires_event_id')),
    sa.UniqueConstraint('is_default', name=op.f('uq_questionnaires_is_default'))
    )
    op.create_table('questionnaire_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('title_ru', sa.String(length=200), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_questionnaire_versions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaires.id'], name=op.f('fk_questionnaire_versions_questionnaire_id_questionnaires'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_versions')),
    sa.UniqueConstraint('questionnaire_id', 'number', name=op.f('uq_questionnaire_versions_questionnaire_id_number'))
    )
    op.create_table('ticket_form_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.String(length=2000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_ticket_form_notes_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['form_id'], ['ticket_forms.id'], name=op.f('fk_ticket_form_notes_form_id_ticket_forms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_form_notes'))
    )
    op.create_index('ix_ticket_form_notes_form', 'ticket_form_notes', ['form_id', 'id'], unique=False)

    with op.batch_alter_table('ticket_forms') as batch:
        batch.add_column(sa.Column('questionnaire_version_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('answers', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('search_text', sa.String(length=4000), nullable=True))
        batch.add_column(sa.Column('notes', sa.String(length=2000), nullable=True))

    bind = op.get_bind()
    now = sa.func.now()
    questionnaires = sa.table('questionnaires', sa.column('id', sa.Integer), sa.column('is_default', sa.Boolean), sa.column('version', sa.Integer), sa.column('created_at', sa.DateTime(timezone=True)), sa.column('updated_at', sa.DateTime(timezone=True)))
    versions = sa.table('questionnaire_versions', sa.column('id', sa.Integer), sa.column('questionnaire_id', sa.Integer), sa.column('number', sa.Integer), sa.column('title_en', sa.String), sa.column('title_ru', sa.String), sa.column('fields', sa.JSON), sa.column('created_at', sa.DateTime(timezone=True)))
    forms = sa.table('ticket_forms', sa.column('id', sa.Integer), sa.column('questionnaire_version_id', sa.Integer), sa.column('answers', sa.JSON), sa.column('search_text', sa.String), *(sa.column(name) for name in OLD_COLUMNS))

    type_keys, names = _configured_types()
    used = bind.execute(sa.select(forms.c.ticket_type).distinct().where(forms.c.ticket_type.is_not(None))).scalars().all()
    type_keys = type_keys + sorted(key for key in used if key not in type_keys)
    bind.execute(questionnaires.insert().values(id=1, is_default=True, version=1, created_at=now, updated_at=now))
    bind.execute(versions.insert().values(id=1, questionnaire_id=1, number=1, title_en='Ticket request', title_ru='Заявка на билеты', fields=_design(type_keys, names), created_at=now))
    if bind.dialect.name == 'postgresql':  # the explicit ids must not collide with the sequences'
        for table in ('questionnaires', 'questionnaire_versions'):
            bind.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 1)"))

    rows = bind.execute(sa.select(forms.c.id, *(forms.c[name] for name in OLD_COLUMNS))).mappings().all()
    for row in rows:
        answers = {name: row[name] for name in OLD_COLUMNS if row[name] not in (None, '')}
        text = ' | '.join(str(row[name]) for name in TEXT_KEYS if row[name]).lower()[:4000] or None
        bind.execute(forms.update().where(forms.c.id == row['id']).values(questionnaire_version_id=1, answers=answers, search_text=text))

    with op.batch_alter_table('ticket_forms') as batch:
        batch.alter_column('questionnaire_version_id', existing_type=sa.Integer(), nullable=False)
        batch.alter_column('answers', existing_type=sa.JSON(), nullable=False)
        batch.create_index(batch.f('ix_ticket_forms_questionnaire_version_id'), ['questionnaire_version_id'], unique=False)
        batch.create_foreign_key(batch.f('fk_ticket_forms_questionnaire_version_id_questionnaire_versions'), 'questionnaire_versions', ['questionnaire_version_id'], ['id'])
        batch.drop_constraint(batch.f('ck_ticket_forms_quantity_range'), type_='check')
        for name in OLD_COLUMNS:
            batch.drop_column(name)


def downgrade():
    with op.batch_alter_table('ticket_forms') as batch:
        batch.add_column(sa.Column('name', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('email', sa.String(length=254), nullable=True))
        batch.add_column(sa.Column('phone', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('ticket_type', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('quantity', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('dietary_requirements', sa.String(length=500), nullable=True))
        batch.add_column(sa.Column('accessibility_needs', sa.String(length=500), nullable=True))

    bind = op.get_bind()
    forms = sa.table('ticket_forms', sa.column('id', sa.Integer), sa.column('answers', sa.JSON), *(sa.column(name) for name in OLD_COLUMNS))
    limits = {'name': 200, 'email': 254, 'phone': 32, 'ticket_type': 32, 'dietary_requirements': 500, 'accessibility_needs': 500}
    for form_id, answers in bind.execute(sa.select(forms.c.id, forms.c.answers)).all():
        values = {}
        for name, limit in limits.items():
            if isinstance((answers or {}).get(name), str):
                values[name] = answers[name][:limit]
        quantity = (answers or {}).get('quantity')
        if isinstance(quantity, int | float) and not isinstance(quantity, bool) and 1 <= quantity <= 10:
            values['quantity'] = int(quantity)
        if values:
            bind.execute(forms.update().where(forms.c.id == form_id).values(**values))

    with op.batch_alter_table('ticket_forms') as batch:
        batch.create_check_constraint(batch.f('ck_ticket_forms_quantity_range'), 'quantity IS NULL OR quantity BETWEEN 1 AND 10')
        batch.drop_constraint(batch.f('fk_ticket_forms_questionnaire_version_id_questionnaire_versions'), type_='foreignkey')
        batch.drop_index(batch.f('ix_ticket_forms_questionnaire_version_id'))
        batch.drop_column('notes')
        batch.drop_column('search_text')
        batch.drop_column('answers')
        batch.drop_column('questionnaire_version_id')

    op.drop_index('ix_ticket_form_notes_form', table_name='ticket_form_notes')
    op.drop_table('ticket_form_notes')
    op.drop_table('questionnaire_versions')
    op.drop_table('questionnaires')
