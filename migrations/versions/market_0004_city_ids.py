"""Orders and subscriptions name a city by its id in the city directory (GeoNames).

* orders.city_id (integer, GeoNames id): the feed's city indexes move from `city` to it
  (ix_orders_feed_city_id, ix_orders_feed_category_city_id); `city` stays, the key old
  clients know.
* existing orders and subscriptions of the default cities (by key, English or Russian
  name) get their ids; market_preferences.cities then holds ids. A deployment's own city
  that this revision cannot place keeps a NULL id (the order still shows its name) and stays
  as text in subscriptions, where it matches nothing: `flask market map-cities` places
  them with the app's directory and settings.

Revision ID: market_0004
Revises: locale_0002
Create Date: 2026-12-01 17:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'market_0004'
down_revision = 'locale_0002'
branch_labels = None
depends_on = None

FEEDS = (('city',), ('category', 'city'))
# The default MARKET_CITIES: GeoNames id, key (English name), Russian name.
DEFAULT_CITIES = (
    (524901, 'Moscow', 'Москва'),
    (498817, 'Saint Petersburg', 'Санкт-Петербург'),
    (551487, 'Kazan', 'Казань'),
    (1496747, 'Novosibirsk', 'Новосибирск'),
    (1486209, 'Yekaterinburg', 'Екатеринбург'),
)
IDS = {name: city_id for city_id, *names in DEFAULT_CITIES for name in names}
KEYS = {city_id: key for city_id, key, _ in DEFAULT_CITIES}

orders = sa.table('orders', sa.column('city', sa.String), sa.column('city_id', sa.Integer))
preferences = sa.table(
    'market_preferences', sa.column('user_id', sa.Integer), sa.column('cities', sa.JSON)
)


def _feed_index(filters):
    return '_'.join(('ix_orders_feed', *filters))


def _map_preferences(convert):
    conn = op.get_bind()
    for user_id, cities in conn.execute(sa.select(preferences.c.user_id, preferences.c.cities)):
        changed = [convert(city) for city in cities or []]
        if changed != list(cities or []):
            conn.execute(
                preferences.update()
                .where(preferences.c.user_id == user_id)
                .values(cities=changed)
            )


def upgrade():
    with op.batch_alter_table('orders') as batch:
        batch.add_column(sa.Column('city_id', sa.Integer(), nullable=True))
    for filters in FEEDS:
        op.drop_index(_feed_index(filters), table_name='orders')
        with_id = tuple('city_id' if name == 'city' else name for name in filters)
        op.create_index(
            _feed_index(with_id),
            'orders',
            [*with_id, 'status', 'created_at', 'id'],
            postgresql_include=['expires_at'],
        )
    for name, city_id in IDS.items():
        op.execute(orders.update().where(orders.c.city == name).values(city_id=city_id))
    _map_preferences(lambda city: IDS.get(city, city))


def downgrade():
    _map_preferences(lambda city: KEYS.get(city, city))
    for filters in FEEDS:
        with_id = tuple('city_id' if name == 'city' else name for name in filters)
        op.drop_index(_feed_index(with_id), table_name='orders')
        op.create_index(
            _feed_index(filters),
            'orders',
            [*filters, 'status', 'created_at', 'id'],
            postgresql_include=['expires_at'],
        )
    with op.batch_alter_table('orders') as batch:
        batch.drop_column('city_id')
