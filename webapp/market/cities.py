"""The market's cities: any city of the directory (`webapp.cities`), stored by its GeoNames
id; the configured list (`MARKET_CITIES`) is the "popular cities", listed first.

An order keeps `city_id` (what the feed filters and subscriptions match) and `city`, its
key for old clients: the configured key of a popular city ("Moscow"), else the directory's
English name ("Tula"). A client names a city by its id or by any name the directory knows
("Тула", "tula", "питер", or a configured key).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import get_locale

from webapp.cities import City, find_city, get_city
from webapp.i18n import choice_name

_CACHE = "market_popular_cities"


@dataclass(frozen=True)
class PopularCity:
    """A configured city: its key, its display names and the directory's city."""

    key: str
    city: City
    name_en: str
    name_ru: str


def popular_cities() -> list[PopularCity]:
    """The configured cities in their configured order, each resolved in the directory by
    its key or one of its display names (once per app). A configured city the directory
    does not know is left out (and logged): no order could be placed in it."""
    keys = tuple(current_app.config["MARKET_CITIES"])
    cached = current_app.extensions.get(_CACHE)
    if cached is not None and cached[0] == keys:
        return list(cached[1])
    names = current_app.config.get("CHOICE_NAMES", {}).get("city", {})
    found: list[PopularCity] = []
    for key in keys:
        labels = names.get(key, {})
        city = next(
            (c for c in map(find_city, (key, *labels.values())) if c is not None),
            None,
        )
        if city is None:
            current_app.logger.warning("MARKET_CITIES: %r is not in the city directory", key)
            continue
        found.append(
            PopularCity(
                key=key,
                city=city,
                name_en=labels.get("en") or city.name_en,
                name_ru=labels.get("ru") or city.name_ru,
            )
        )
    current_app.extensions[_CACHE] = (keys, tuple(found))
    return found


def _popular_by_id() -> dict[int, PopularCity]:
    return {popular.city.id: popular for popular in popular_cities()}


def resolve_city(value: int | str) -> City | None:
    """The directory city `value` names: a GeoNames id (a number or its digits), a
    configured key, or a full name the directory knows; None when it names none."""
    if isinstance(value, int) or value.strip().isdigit():
        number = int(value)
        return get_city(number) if 0 < number < 2**31 else None
    for popular in popular_cities():
        if value == popular.key:
            return popular.city
    return find_city(value)


def city_key(city: City) -> str:
    """What `orders.city` holds: the configured key of a popular city, else the English
    name."""
    popular = _popular_by_id().get(city.id)
    return popular.key if popular is not None else city.name_en


def keys_of(city_ids: list[int]) -> list[str]:
    """The keys of these cities (`city_key`), in the same order; unknown ids left out."""
    keys = []
    for city_id in city_ids:
        city = get_city(city_id)
        if city is not None:
            keys.append(city_key(city))
    return keys


def city_label(city_id: int | None, key: str) -> str:
    """A city's name in the reader's language: a popular city's configured name, else the
    directory's; a city the directory no longer knows shows its stored key."""
    popular = _popular_by_id().get(city_id) if city_id is not None else None
    if popular is not None:
        return choice_name("city", popular.key)
    city = get_city(city_id) if city_id is not None else None
    if city is None:
        return choice_name("city", key)
    return city.name(str(get_locale() or "en"))


def popular_first(city_ids: list[int]) -> list[int]:
    """These ids without repeats: the popular cities first, in their configured order, then
    the others in the order given."""
    unique = list(dict.fromkeys(city_ids))
    popular = [p.city.id for p in popular_cities() if p.city.id in unique]
    return popular + [city_id for city_id in unique if city_id not in popular]
