"""Rows older than the city directory: orders and subscriptions that name their city only
by text (`flask market map-cities`)."""

from __future__ import annotations

from sqlalchemy import select, update

from webapp.extensions import db
from webapp.market.cities import resolve_city
from webapp.market.models import Order, Preferences


def map_legacy_cities() -> tuple[int, int]:
    """Give a directory id to the orders and subscriptions older than the directory that
    the migration could not place (a deployment's own configured cities): each stored name
    is resolved like a client's (`resolve_city`). Returns (orders, subscriptions) changed;
    a name the directory does not know is left as it is. Idempotent."""
    orders = 0
    names = db.session.scalars(select(Order.city).where(Order.city_id.is_(None)).distinct())
    for name in list(names):
        city = resolve_city(name)
        if city is not None:
            done = db.session.execute(
                update(Order)
                .where(Order.city_id.is_(None), Order.city == name)
                .values(city_id=city.id)
                .execution_options(synchronize_session=False)
            )
            orders += getattr(done, "rowcount", 0) or 0
    subscriptions = 0
    for prefs in db.session.scalars(select(Preferences)):
        stored = list(prefs.city_ids or [])
        mapped = []
        for value in stored:
            city = None if isinstance(value, int) else resolve_city(str(value))
            mapped.append(city.id if city is not None else value)
        if mapped != stored:
            prefs.city_ids = mapped
            subscriptions += 1
    db.session.flush()
    return orders, subscriptions
