"""The shared Redis connection (None in the embedded mode without `REDIS_URL`)."""

from __future__ import annotations

from flask import Flask, current_app
from redis import Redis


def init_redis(app: Flask) -> None:
    url = app.config.get("REDIS_URL")
    app.extensions["redis"] = Redis.from_url(url) if url else None


def get_redis() -> Redis | None:
    return current_app.extensions.get("redis")


def redis_key(*parts: object) -> str:
    """Namespaced key; `REDIS_KEY_PREFIX` keeps test runs and apps apart on one server."""
    prefix = current_app.config.get("REDIS_KEY_PREFIX", "hub")
    return ":".join([prefix, *(str(p) for p in parts)])
