"""The shared Redis connection (None in the embedded mode without `REDIS_URL`).

redis-py waits forever by default: every call here times out after `REDIS_SOCKET_TIMEOUT`
seconds (about one), so a frozen Redis costs a request at most about a second. Nothing a
request needs to be correct lives only in Redis (revocation is in the database; rate limits
fail open), so a Redis that is down or frozen slows nothing down for long and loses nothing.
"""

from __future__ import annotations

from flask import Flask, current_app
from redis import Redis


def init_redis(app: Flask) -> None:
    url = app.config.get("REDIS_URL")
    timeout = float(app.config.get("REDIS_SOCKET_TIMEOUT") or 1.0)
    app.extensions["redis"] = (
        Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout) if url else None
    )


def get_redis() -> Redis | None:
    return current_app.extensions.get("redis")


def redis_key(*parts: object) -> str:
    """Namespaced key; `REDIS_KEY_PREFIX` keeps test runs and apps apart on one server."""
    prefix = current_app.config.get("REDIS_KEY_PREFIX", "hub")
    return ":".join([prefix, *(str(p) for p in parts)])
