"""Events as a sports community uses them: the sports catalogue (seeded with eleven sports),
an event's kind, sport, level, fee, coordinates, city and join mode; series of repeating
trainings; applications and the waitlist (event_requests); a change version and
cancellation; reminders per participant. Existing events keep working: an `event`, level
`any`, `open`, no sport, fee, city or coordinates.

Revision ID: events_0001
Revises: problems_0002
Create Date: 2026-12-01 17:00:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'events_0001'
down_revision = 'problems_0002'
branch_labels = None
depends_on = None

SPORTS = [
    ('running', 'Running', 'Бег'),
    ('football', 'Football', 'Футбол'),
    ('basketball', 'Basketball', 'Баскетбол'),
    ('volleyball', 'Volleyball', 'Волейбол'),
    ('tennis', 'Tennis', 'Теннис'),
    ('yoga', 'Yoga', 'Йога'),
    ('gym', 'Gym', 'Тренажёрный зал'),
    ('cycling', 'Cycling', 'Велоспорт'),
    ('swimming', 'Swimming', 'Плавание'),
    ('hiking', 'Hiking', 'Походы'),
    ('other', 'Other', 'Другое'),
]


def upgrade():
    sports = op.create_table(
        'event_sports',
        sa.Column('key', sa.String(length=32), nullable=False),
        sa.Column('name_en', sa.String(length=64), nullable=False),
        sa.Column('name_ru', sa.String(length=64), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_event_sports')),
    )
    now = datetime.now(timezone.utc)
    op.bulk_insert(
        sports,
        [
            {'key': key, 'name_en': en, 'name_ru': ru, 'position': (i + 1) * 10,
             'created_at': now, 'updated_at': now}
            for i, (key, en, ru) in enumerate(SPORTS)
        ],
    )
    op.create_table(
        'event_series',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('creator_id', sa.Integer(), nullable=False),
        sa.Column('weekdays', sa.String(length=20), nullable=False),
        sa.Column('until', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['creator_id'], ['users.id'], name=op.f('fk_event_series_creator_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_series')),
    )
    op.create_index(op.f('ix_event_series_creator_id'), 'event_series', ['creator_id'], unique=False)
    with op.batch_alter_table('events') as batch:
        batch.add_column(sa.Column('kind', sa.Enum('event', 'training', name='event_kind', native_enum=False, create_constraint=True, length=8), server_default='event', nullable=False))
        batch.add_column(sa.Column('sport_key', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('level', sa.Enum('any', 'beginner', 'intermediate', 'advanced', name='event_level', native_enum=False, create_constraint=True, length=12), server_default='any', nullable=False))
        batch.add_column(sa.Column('fee', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('latitude', sa.Float(), nullable=True))
        batch.add_column(sa.Column('longitude', sa.Float(), nullable=True))
        batch.add_column(sa.Column('city_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('join_mode', sa.Enum('open', 'approval', name='event_join_mode', native_enum=False, create_constraint=True, length=8), server_default='open', nullable=False))
        batch.add_column(sa.Column('series_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False))
        batch.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('waitlist_seq', sa.Integer(), server_default=sa.text('0'), nullable=False))
        batch.create_foreign_key(batch.f('fk_events_sport_key_event_sports'), 'event_sports', ['sport_key'], ['key'], ondelete='RESTRICT', onupdate='CASCADE')
        batch.create_foreign_key(batch.f('fk_events_series_id_event_series'), 'event_series', ['series_id'], ['id'], ondelete='SET NULL')
        batch.create_check_constraint(batch.f('ck_events_fee_not_negative'), 'fee IS NULL OR fee >= 0')
        batch.create_check_constraint(batch.f('ck_events_coordinates_together'), '(latitude IS NULL) = (longitude IS NULL)')
        batch.create_check_constraint(batch.f('ck_events_coordinates_range'), 'latitude IS NULL OR (latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180)')
        batch.create_index('ix_events_sport_starts_at', ['sport_key', 'starts_at', 'id'], unique=False)
        batch.create_index('ix_events_city_starts_at', ['city_id', 'starts_at', 'id'], unique=False)
        batch.create_index('ix_events_creator_starts_at', ['creator_id', 'starts_at', 'id'], unique=False)
        batch.create_index('ix_events_latitude', ['latitude'], unique=False)
        batch.create_index('ix_events_series_id', ['series_id', 'starts_at'], unique=False)
    with op.batch_alter_table('event_participants') as batch:
        batch.add_column(sa.Column('reminders', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table(
        'event_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.Enum('pending', 'waitlisted', 'rejected', name='event_request_status', native_enum=False, create_constraint=True, length=12), nullable=False),
        sa.Column('message', sa.String(length=1000), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('position', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_requests_event_id_events'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_event_requests_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_requests')),
        sa.UniqueConstraint('event_id', 'user_id', name=op.f('uq_event_requests_event_id_user_id')),
    )
    op.create_index('ix_event_requests_queue', 'event_requests', ['event_id', 'status', 'position', 'id'], unique=False)
    op.create_index('ix_event_requests_user', 'event_requests', ['user_id', 'event_id'], unique=False)


def downgrade():
    op.drop_index('ix_event_requests_user', table_name='event_requests')
    op.drop_index('ix_event_requests_queue', table_name='event_requests')
    op.drop_table('event_requests')
    with op.batch_alter_table('event_participants') as batch:
        batch.drop_column('reminders')
    with op.batch_alter_table('events') as batch:
        batch.drop_index('ix_events_series_id')
        batch.drop_index('ix_events_latitude')
        batch.drop_index('ix_events_creator_starts_at')
        batch.drop_index('ix_events_city_starts_at')
        batch.drop_index('ix_events_sport_starts_at')
        batch.drop_constraint(batch.f('ck_events_coordinates_range'), type_='check')
        batch.drop_constraint(batch.f('ck_events_coordinates_together'), type_='check')
        batch.drop_constraint(batch.f('ck_events_fee_not_negative'), type_='check')
        batch.drop_constraint(batch.f('fk_events_series_id_event_series'), type_='foreignkey')
        batch.drop_constraint(batch.f('fk_events_sport_key_event_sports'), type_='foreignkey')
        batch.drop_constraint(batch.f('ck_events_event_level'), type_='check')
        batch.drop_constraint(batch.f('ck_events_event_join_mode'), type_='check')
        batch.drop_constraint(batch.f('ck_events_event_kind'), type_='check')
        for column in ('waitlist_seq', 'cancelled_at', 'version', 'series_id', 'join_mode',
                       'city_id', 'longitude', 'latitude', 'fee', 'level', 'sport_key', 'kind'):
            batch.drop_column(column)
    op.drop_index(op.f('ix_event_series_creator_id'), table_name='event_series')
    op.drop_table('event_series')
    op.drop_table('event_sports')
