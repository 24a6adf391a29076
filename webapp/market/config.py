"""The market's settings: read from the environment (`market_config`, which the app factory
adds to the core's), and seen by the code as one typed `MarketSettings` (`settings()`), the
one place the API's `GET /api/config`, the pages and the services take them from.

| variable | meaning | default |
| --- | --- | --- |
| `MARKET_CATEGORIES` | categories to start with, `key=English|Русский,…` | a demo list |
| `MARKET_CITIES` | popular cities (listed first), `key=English|Русский,…` | five cities |
| `MARKET_TAKE_PRICE` | price of one take, kopecks | `200` (2 ₽) |
| `MARKET_MAX_TAKES` | executors per order | `3` |
| `MARKET_ORDER_TTL_MINUTES` | an order's lifetime | `60` |
| `MARKET_RESPONSE_MINUTES` | the client's time to respond after the first take | `15` |
| `MARKET_ORDERS_PER_HOUR` | orders one user may post per hour | `10` |
| `MARKET_INSTANT_COOLDOWN_MINUTES` | instant cooldown, 5 to 15 (users may choose their own) | `5` |
| `MARKET_ONE_ORDER_PER_CONTACT` | `1`: one active order per contact (409 for a second) | `1` |
| `STARS_TO_KOPECKS` | kopecks credited per Telegram Star | `100` (1 ★ = 1 ₽) |
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app

from webapp.config import ConfigError, env_choices, env_int
from webapp.core import choices

DEFAULT_CATEGORIES = (
    "courier=Courier|Курьер,repair=Repair|Ремонт,cleaning=Cleaning|Уборка,"
    "moving=Moving|Переезд,tutoring=Tutoring|Репетиторство,it=IT|IT,other=Other|Другое"
)
DEFAULT_CITIES = (
    "Moscow=Moscow|Москва,Saint Petersburg=Saint Petersburg|Санкт-Петербург,"
    "Kazan=Kazan|Казань,Novosibirsk=Novosibirsk|Новосибирск,"
    "Yekaterinburg=Yekaterinburg|Екатеринбург"
)


COOLDOWN_MINUTES = (5, 15)  # Srochno's range for the instant-mode cooldown


def _cooldown(env: Mapping[str, str]) -> int:
    least, most = COOLDOWN_MINUTES
    minutes = env_int(env, "MARKET_INSTANT_COOLDOWN_MINUTES", least, minimum=least)
    if minutes > most:
        raise ConfigError(f"MARKET_INSTANT_COOLDOWN_MINUTES must be at most {most}, got {minutes}")
    return minutes


def market_config(env: Mapping[str, str]) -> dict[str, Any]:
    categories, category_names = env_choices(env, "MARKET_CATEGORIES", DEFAULT_CATEGORIES)
    cities, city_names = env_choices(env, "MARKET_CITIES", DEFAULT_CITIES)
    return {
        "MARKET_CATEGORIES": categories,
        "MARKET_CITIES": cities,
        "CHOICE_NAMES": {"category": category_names, "city": city_names},
        "MARKET_TAKE_PRICE": env_int(env, "MARKET_TAKE_PRICE", 200, minimum=1),
        "MARKET_MAX_TAKES": env_int(env, "MARKET_MAX_TAKES", 3, minimum=1),
        "MARKET_ORDER_TTL_MINUTES": env_int(env, "MARKET_ORDER_TTL_MINUTES", 60, minimum=1),
        "MARKET_RESPONSE_MINUTES": env_int(env, "MARKET_RESPONSE_MINUTES", 15, minimum=1),
        "MARKET_ORDERS_PER_HOUR": env_int(env, "MARKET_ORDERS_PER_HOUR", 10, minimum=1),
        "STARS_TO_KOPECKS": env_int(env, "STARS_TO_KOPECKS", 100, minimum=1),
        "MARKET_ONE_ORDER_PER_CONTACT": bool(env_int(env, "MARKET_ONE_ORDER_PER_CONTACT", 1)),
        "MARKET_INSTANT_COOLDOWN_MINUTES": _cooldown(env),
    }


@dataclass(frozen=True)
class MarketSettings:
    cities: list[str]
    take_price: int  # kopecks
    max_takes: int
    order_ttl: timedelta
    response_window: timedelta
    orders_per_hour: int
    stars_to_kopecks: int
    dev_recharge: bool  # development only: top up the balance without paying
    one_order_per_contact: bool = True
    instant_cooldown: timedelta = timedelta(minutes=COOLDOWN_MINUTES[0])

    @property
    def categories(self) -> list[str]:
        """The active categories the admin keeps (seeded from MARKET_CATEGORIES), read when
        asked for: a list that only shows orders runs no query for them."""
        return choices.active_keys("category")

    @property
    def order_ttl_minutes(self) -> int:
        return int(self.order_ttl.total_seconds() // 60)

    @property
    def response_minutes(self) -> int:
        return int(self.response_window.total_seconds() // 60)


def settings() -> MarketSettings:
    """The current app's market settings."""
    config = current_app.config
    return MarketSettings(
        cities=list(config["MARKET_CITIES"]),
        take_price=int(config["MARKET_TAKE_PRICE"]),
        max_takes=int(config["MARKET_MAX_TAKES"]),
        order_ttl=timedelta(minutes=int(config["MARKET_ORDER_TTL_MINUTES"])),
        response_window=timedelta(minutes=int(config["MARKET_RESPONSE_MINUTES"])),
        orders_per_hour=int(config["MARKET_ORDERS_PER_HOUR"]),
        stars_to_kopecks=int(config["STARS_TO_KOPECKS"]),
        dev_recharge=bool(config.get("DEV_RECHARGE")),
        one_order_per_contact=bool(config.get("MARKET_ONE_ORDER_PER_CONTACT", True)),
        instant_cooldown=timedelta(minutes=int(config["MARKET_INSTANT_COOLDOWN_MINUTES"])),
    )
