"""Executors' subscriptions (categories, cities, how often) and the market part of a profile."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from webapp.database import insert_ignoring_conflicts, utcnow
from webapp.errors import ValidationFailed, field_error
from webapp.extensions import db
from webapp.market import money, reviews
from webapp.market.cities import popular_first, resolve_city
from webapp.market.config import COOLDOWN_MINUTES, settings
from webapp.market.models import Frequency, Preferences
from webapp.users.models import User


@dataclass(frozen=True)
class MarketProfile:
    balance: int
    completed_orders: int
    average_rating: float | None
    reviews_count: int
    preferences: Preferences


def preferences_of(user_id: int) -> Preferences:
    """The user's preferences row (created with the defaults on first use)."""
    prefs = db.session.get(Preferences, user_id)
    if prefs is None:
        db.session.execute(
            insert_ignoring_conflicts(
                Preferences,
                db.session,
                user_id=user_id,
                categories=[],
                cities=[],  # the column of `Preferences.city_ids`
                frequency=Frequency.INSTANT.value,
                updated_at=utcnow(),
            )
        )
        prefs = db.session.get_one(Preferences, user_id)
    return prefs


def _checked(field: str, values: list[str], allowed: list[str]) -> list[str]:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValidationFailed(
            _l("Some fields are missing or invalid."),
            errors=[field_error(field, _l("Unknown: %(items)s", items=", ".join(unknown)))],
        )
    return [v for v in allowed if v in set(values)]  # configured order, no duplicates


def _checked_cities(cities: Sequence[int | str]) -> list[int]:
    """The directory ids of these cities (ids or names), popular ones first, no repeats."""
    found = {value: resolve_city(value) for value in cities}
    unknown = [str(value) for value, city in found.items() if city is None]
    if unknown:
        raise ValidationFailed(
            _l("Some fields are missing or invalid."),
            errors=[field_error("cities", _l("Unknown: %(items)s", items=", ".join(unknown)))],
        )
    return popular_first([city.id for city in found.values() if city is not None])


def set_subscriptions(
    actor: User, categories: list[str], cities: Sequence[int | str]
) -> Preferences:
    """The categories (configured ones) and cities (any of the directory, by id or name)
    whose new orders the user hears about."""
    config = settings()
    checked_categories = _checked("categories", categories, config.categories)
    checked_cities = _checked_cities(cities)
    prefs = preferences_of(actor.id)
    prefs.categories = checked_categories
    prefs.city_ids = checked_cities
    prefs.updated_at = utcnow()
    db.session.flush()
    return prefs


class Keep(enum.Enum):
    """`set_frequency(..., instant_cooldown_minutes=KEEP)`: leave it as it is."""

    KEEP = "keep"


KEEP = Keep.KEEP


def set_frequency(
    actor: User, frequency: Frequency, instant_cooldown_minutes: int | Keep | None = KEEP
) -> Preferences:
    """How often the user hears of new orders and, in instant mode, the least minutes
    between two announcements: 5 to 15 (Srochno's range; else a 422), None for the
    deployment's `MARKET_INSTANT_COOLDOWN_MINUTES`, `KEEP` to leave it."""
    least, most = COOLDOWN_MINUTES
    if isinstance(instant_cooldown_minutes, int) and not least <= instant_cooldown_minutes <= most:
        message = _l("Choose from %(least)d to %(most)d minutes.", least=least, most=most)
        raise ValidationFailed(
            _l("Some fields are missing or invalid."),
            errors=[field_error("instant_cooldown_minutes", message)],
        )
    prefs = preferences_of(actor.id)
    prefs.frequency = frequency
    if not isinstance(instant_cooldown_minutes, Keep):
        prefs.instant_cooldown_minutes = instant_cooldown_minutes
    prefs.updated_at = utcnow()
    db.session.flush()
    return prefs


def read_preferences(user: User) -> Preferences:
    """The user's preferences as stored, or the defaults (reading writes nothing)."""
    return db.session.get(Preferences, user.id) or default_preferences(user.id)


def market_profile(user: User) -> MarketProfile:
    stats = reviews.executor_stats(user.id)
    return MarketProfile(
        balance=money.balance_of(user.id),
        completed_orders=stats.completed_orders,
        average_rating=stats.average_rating,
        reviews_count=stats.reviews_count,
        preferences=read_preferences(user),
    )


def default_preferences(user_id: int) -> Preferences:
    """What a user who never chose has (not stored: reading a profile writes nothing)."""
    return Preferences(user_id=user_id, categories=[], city_ids=[], frequency=Frequency.INSTANT)
