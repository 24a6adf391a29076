"""What the app trusts at its edge: the proxy in front of it, HTTPS, who reads /metrics, and
what its logs may show."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from tests.fixtures.app import build_app
from webapp import create_app
from webapp.extensions import db, limiter
from webapp.observability import RedactingJsonFormatter

PROXY = {"REMOTE_ADDR": "10.0.0.1"}  # every request arrives from the reverse proxy
BAD_LOGIN = {"username": "nobody-here", "password": "wrong-password-1"}


@pytest.fixture(autouse=True)
def limits_off_afterwards() -> Iterator[None]:
    """The limiter is one object for every app: an app built here with limits on switches it
    on for the cached test apps too (they are built with limits off)."""
    yield
    limiter.enabled = False


@pytest.fixture
def limited(schema: str) -> Iterator[Callable]:
    built: list[Flask] = []

    def make(**environ: str) -> Flask:
        app = build_app(schema, {"RATELIMIT_ENABLED": True}, environ)
        built.append(app)
        return app

    yield make
    for app in built:
        with app.app_context():
            db.engine.dispose()


def login_from(app: Flask, client_address: str) -> int:
    headers = {"X-Forwarded-For": client_address}
    answer = app.test_client().post(
        "/api/auth/login", json=BAD_LOGIN, headers=headers, environ_overrides=PROXY
    )
    return answer.status_code


def test_rate_limits_key_on_the_client_behind_a_trusted_proxy(limited):
    """Behind one trusted proxy, do 20 bad logins lock out only the client that sent them,
    not everyone else behind the same proxy?"""
    app = limited(TRUSTED_PROXIES="1")
    assert {login_from(app, "203.0.113.7") for _ in range(20)} == {401}
    assert login_from(app, "203.0.113.7") == 429
    assert login_from(app, "198.51.100.9") == 401


def test_a_forged_forwarded_for_is_not_trusted_without_a_proxy(limited):
    """With no trusted proxy (the default), does a client that invents a new
    X-Forwarded-For on every request still hit its own limit?"""
    app = limited()
    assert app.config["TRUSTED_PROXIES"] == 0
    assert {login_from(app, f"203.0.113.{n}") for n in range(20)} == {401}
    assert login_from(app, "203.0.113.99") == 429


def production_app(**environ: str) -> Flask:
    """A production app (built, never connected: `create_app` does no database work)."""
    return create_app(
        environ={
            "APP_ENV": "production",
            "SECRET_KEY": "s" * 40,
            "TELEGRAM_BOT_TOKEN": "123:prod-token",
            "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none",
            "LOG_LEVEL": "WARNING",
            "JOBS_INLINE": "1",  # no periodic timer thread against that absent database
            **environ,
        }
    )


def test_production_sends_hsts_and_development_does_not(client):
    """Does production tell browsers to use HTTPS only (HSTS), while tests and development
    (plain HTTP) do not?"""
    answer = production_app().test_client().get("/version", base_url="https://hub.example")
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in client.get("/version").headers


def test_metrics_are_not_public_in_production():
    """In production, is /metrics a 404 without the METRICS_TOKEN bearer, and open with it?"""
    closed = production_app().test_client()
    assert closed.get("/metrics", base_url="https://hub.example").status_code == 404
    guarded = production_app(METRICS_TOKEN="scrape-me-0123456789").test_client()
    base = "https://hub.example"
    assert guarded.get("/metrics", base_url=base).status_code == 404
    wrong = {"Authorization": "Bearer scrape-me-wrong"}
    assert guarded.get("/metrics", base_url=base, headers=wrong).status_code == 404
    right = {"Authorization": "Bearer scrape-me-0123456789"}
    answer = guarded.get("/metrics", base_url=base, headers=right)
    assert answer.status_code == 200 and "hub_http_requests_total" in answer.get_data(as_text=True)


def test_no_log_line_carries_the_bot_token(app):
    """Does a JSON log line show the bot token anywhere — message, traceback or an extra
    field? (No: it reads <redacted>.)"""
    token = app.config["TELEGRAM_BOT_TOKEN"]
    formatter = RedactingJsonFormatter("%(message)s")
    try:
        raise ConnectionError(f"Max retries exceeded with url: /bot{token}/sendMessage")
    except ConnectionError:
        record = logging.LogRecord(
            "t", logging.ERROR, __file__, 1, "failed: %s", (f"/bot{token}/x",), sys.exc_info()
        )
    record.url = f"https://api.telegram.org/bot{token}/getMe"
    line = formatter.format(record)
    assert token not in line
    assert line.count("<redacted>") == 3
