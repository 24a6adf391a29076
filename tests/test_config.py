"""Configuration from the environment, and the production refusals."""

from __future__ import annotations

import pytest

from webapp.config import ConfigError, load_config

GOOD_PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "s" * 40,
    "TELEGRAM_BOT_TOKEN": "1:abc",
    "DATABASE_URL": "postgresql://u@h/db",
}


def test_defaults_are_embedded():
    """With no environment at all, is it SQLite under instance/ and no Redis?"""
    config = load_config({})
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert config["SQLALCHEMY_DATABASE_URI"].endswith("instance/hub.db")
    assert config["REDIS_URL"] is None
    assert config["TELEGRAM_BOT_TOKEN"] is None
    assert config["INIT_DATA_MAX_AGE"] == 86400


def test_postgres_url_uses_psycopg3():
    """Is a plain postgresql:// URL accepted as is (driven by psycopg 3)?"""
    config = load_config({"DATABASE_URL": "postgres://u:p@h:5432/d"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@h:5432/d"


def test_webhook_secret_derived_from_token():
    """Is the webhook secret derived from the token when not given?"""
    config = load_config({"TELEGRAM_BOT_TOKEN": "1:abc"})
    assert len(config["TELEGRAM_WEBHOOK_SECRET"]) == 64
    assert (
        load_config({"TELEGRAM_BOT_TOKEN": "1:abc", "TELEGRAM_WEBHOOK_SECRET": "x"})[
            "TELEGRAM_WEBHOOK_SECRET"
        ]
        == "x"
    )


def test_good_production_starts():
    """Does a safe production environment load?"""
    assert load_config(GOOD_PRODUCTION)["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    "change",
    [
        {"SECRET_KEY": ""},
        {"SECRET_KEY": "dev-secret-key-change-me"},
        {"SECRET_KEY": "short"},
        {"TELEGRAM_BOT_TOKEN": ""},
        {"DEV_RECHARGE": "1"},
        {"DEV_LOGIN": "true"},
        {"DATABASE_URL": ""},
    ],
)
def test_unsafe_production_refused(change):
    """Does production refuse a default secret, no bot token, dev switches or SQLite?"""
    with pytest.raises(ConfigError):
        load_config({**GOOD_PRODUCTION, **change})


def test_bad_values_are_clear():
    """Are an unknown APP_ENV or a non-numeric setting refused with a clear message?"""
    with pytest.raises(ConfigError, match="APP_ENV"):
        load_config({"APP_ENV": "staging"})
    with pytest.raises(ConfigError, match="INIT_DATA_MAX_AGE"):
        load_config({"INIT_DATA_MAX_AGE": "day"})
