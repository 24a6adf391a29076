"""The market's settings, read from the environment by `webapp.config.load_config`.

| variable | meaning | default |
| --- | --- | --- |
| `MARKET_CATEGORIES` | comma-separated order categories | a small demo list |
| `MARKET_CITIES` | comma-separated cities | a small demo list |
| `MARKET_TAKE_PRICE` | price of one take, kopecks | `200` (2 ₽) |
| `MARKET_MAX_TAKES` | executors per order | `3` |
| `MARKET_ORDER_TTL_MINUTES` | an order's lifetime | `60` |
| `MARKET_RESPONSE_MINUTES` | the client's time to respond after the first take | `15` |
| `MARKET_ORDERS_PER_HOUR` | orders one user may post per hour | `10` |
| `STARS_TO_KOPECKS` | kopecks credited per Telegram Star | `100` (1 ★ = 1 ₽) |
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DEFAULT_CATEGORIES = "courier,repair,cleaning,moving,tutoring,it,other"
DEFAULT_CITIES = "Moscow,Saint Petersburg,Kazan,Novosibirsk,Yekaterinburg"


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


def _list(env: Mapping[str, str], name: str, default: str) -> list[str]:
    return [item.strip() for item in (env.get(name) or default).split(",") if item.strip()]


def market_config(env: Mapping[str, str]) -> dict[str, Any]:
    return {
        "MARKET_CATEGORIES": _list(env, "MARKET_CATEGORIES", DEFAULT_CATEGORIES),
        "MARKET_CITIES": _list(env, "MARKET_CITIES", DEFAULT_CITIES),
        "MARKET_TAKE_PRICE": _int(env, "MARKET_TAKE_PRICE", 200),
        "MARKET_MAX_TAKES": _int(env, "MARKET_MAX_TAKES", 3),
        "MARKET_ORDER_TTL_MINUTES": _int(env, "MARKET_ORDER_TTL_MINUTES", 60),
        "MARKET_RESPONSE_MINUTES": _int(env, "MARKET_RESPONSE_MINUTES", 15),
        "MARKET_ORDERS_PER_HOUR": _int(env, "MARKET_ORDERS_PER_HOUR", 10),
        "STARS_TO_KOPECKS": _int(env, "STARS_TO_KOPECKS", 100),
    }
