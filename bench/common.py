"""What every benchmark returns, and small helpers they share."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Result:
    benchmark: str
    metric: str
    value: float | str
    unit: str = ""
    note: str = ""


def per_second(func: Callable[[], object], *, seconds: float = 2.0) -> tuple[float, int]:
    """Call `func` repeatedly for about `seconds`; return (calls per second, calls)."""
    calls = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        for _ in range(100):
            func()
        calls += 100
    return calls / (time.perf_counter() - started), calls


# --- throw-away PostgreSQL databases and apps -------------------------------------------------

BOT_TOKEN = "123456789:AAH-bench-token"
SECRET_KEY = "bench-secret-key-0123456789abcdef-0123456789"


def postgres_base() -> str:
    import os

    return os.environ.get("HUB_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh empty PostgreSQL database (its SQLAlchemy URL), dropped afterwards."""
    from tests.fixtures.services import create_postgres_database, drop_postgres_database

    url = create_postgres_database(postgres_base())
    try:
        yield url
    finally:
        drop_postgres_database(url)


def app_environ(url: str, **extra: str) -> dict[str, str]:
    """The environment of a production-like app on `url` (what gunicorn gets too)."""
    return {
        "APP_ENV": "production",
        "SECRET_KEY": SECRET_KEY,
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "DATABASE_URL": url,
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def make_app(url: str, overrides: dict[str, Any] | None = None, **environ: str) -> Any:
    """The app on `url` with its tables created (`db.create_all()`)."""
    from webapp import create_app
    from webapp.extensions import db

    app = create_app(overrides or {}, environ=app_environ(url, **environ))
    with app.app_context():
        db.create_all()
    return app


def dispose(app: Any) -> None:
    from webapp.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@contextmanager
def redis_prefix() -> Iterator[dict[str, str]]:
    """`REDIS_URL` and a fresh `REDIS_KEY_PREFIX` (the production setup: with Redis, web
    processes run no periodic jobs); the prefix's keys are deleted afterwards."""
    import os
    import uuid

    from redis import Redis

    url = os.environ.get("HUB_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    prefix = f"hub-bench-{uuid.uuid4().hex[:10]}"
    try:
        yield {"REDIS_URL": url, "REDIS_KEY_PREFIX": prefix}
    finally:
        client = Redis.from_url(url)
        keys = list(client.scan_iter(f"*{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()
