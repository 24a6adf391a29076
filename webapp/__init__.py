"""Hub: one Flask server for a community's Telegram Mini App.

`create_app()` builds the app from the environment (see `webapp/config.py`); it does no
network or database work, so importing and building it is cheap and safe anywhere.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, g
from flask_openapi3 import Info
from pydantic import ValidationError as PydanticValidationError

from webapp.api import HubOpenAPI, JSONRequest, refuse_null_body
from webapp.auth.identity import identify_caller
from webapp.config import VERSION, load_config
from webapp.errors import register_error_handlers, validation_problem
from webapp.extensions import babel, db, limiter, login_manager, migrate
from webapp.i18n import select_locale

__version__ = VERSION


def create_app(
    overrides: Mapping[str, Any] | None = None, *, environ: Mapping[str, str] | None = None
) -> HubOpenAPI:
    """Build the app: configuration from `environ` (default `os.environ`), then `overrides`."""
    app = HubOpenAPI(
        __name__,
        info=Info(
            title="Hub API",
            version=__version__,
            description="Telegram Mini App backend: tasks, events, tickets, problems, urgent jobs.",
        ),
        security_schemes=_security_schemes(),
        validation_error_callback=_validation_problem,
        validation_error_status=422,
        doc_prefix="/openapi",
        doc_url="/openapi.json",
    )
    app.request_class = JSONRequest
    app.before_request(refuse_null_body)
    app.config.update(_load_settings(os.environ if environ is None else environ))
    if overrides:
        app.config.update(overrides)
    _ensure_sqlite_folder(app.config["SQLALCHEMY_DATABASE_URI"])
    _trust_proxies(app)
    _register_extensions(app)
    _register_observability(app)
    register_error_handlers(app)
    _register_blueprints(app)
    _register_cli(app)
    _register_templating(app)
    _register_static_files(app)
    _register_content_policy(app)
    return app


def _validation_problem(exc: PydanticValidationError) -> Response:
    """A request body or query that fails its schema: 422 in the caller's language (the
    caller is identified first, since flask-openapi3 validates before the view runs)."""
    identify_caller()
    return validation_problem(exc)


def _trust_proxies(app: Flask) -> None:
    """Behind `TRUSTED_PROXIES` reverse proxies, the client is the address they forwarded
    (rate limits then key on each client, not on the proxy). Exactly that many hops are
    trusted: with 0 a forged `X-Forwarded-For` changes nothing."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def _load_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """The core's settings, then each feature's own (the market reads its settings itself)."""
    from webapp.market.config import market_config

    core, market = load_config(environ), market_config(environ)
    names = {**core.pop("CHOICE_NAMES"), **market.pop("CHOICE_NAMES")}  # display names
    return {**core, **market, "CHOICE_NAMES": names}


def _register_static_files(app: Flask) -> None:
    """Hashed, precompressed static files served by whitenoise (`webapp/static_files.py`);
    the first start writes them under `STATIC_BUILD_DIR`, later ones only hash."""
    from webapp.static_files import init_static_files

    init_static_files(app)


def _register_content_policy(app: Flask) -> None:
    from webapp.content_policy import init_content_policy

    init_content_policy(app)


def _security_schemes() -> dict[str, Any]:
    from webapp.api import SECURITY_SCHEMES

    return SECURITY_SCHEMES


def _register_extensions(app: Flask) -> None:
    import webapp.models  # noqa: F401 - every table in the metadata
    from webapp.auth.csrf import init_csrf
    from webapp.auth.identity import user_from_session
    from webapp.database import ping_when_idle
    from webapp.i18n import catalog_directories, select_timezone
    from webapp.idempotency import init_idempotency
    from webapp.redis_store import init_redis

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            ping_when_idle(engine, float(app.config.get("DB_PING_IDLE_SECONDS", 1)))
    migrate.init_app(app, db, directory=str(_project_path("migrations")))
    init_csrf(app)
    init_idempotency(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=";".join(
            catalog_directories(Path(__file__).resolve().parent)
        ),
    )
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", app.config.get("REDIS_KEY_PREFIX", "hub"))
    # Redis down or frozen: a limit is not checked (logged), the request goes on.
    timeout = float(app.config.get("REDIS_SOCKET_TIMEOUT") or 1.0)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    if str(app.config["RATELIMIT_STORAGE_URI"]).startswith("redis"):
        app.config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS",
            {"socket_timeout": timeout, "socket_connect_timeout": timeout},
        )
    limiter.init_app(app)
    init_redis(app)

    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    _register_bot_and_jobs(app)

    @login_manager.user_loader
    def load_user(session_id: str) -> Any:
        return user_from_session(session_id)


def _register_bot_and_jobs(app: Flask) -> None:
    """The bot and the jobs sit above the features: the factory wires them in. A commit that
    queued a message starts a delivery job; the first request starts the periodic jobs."""
    from bot.factory import create_bot
    from jobs import embedded
    from jobs.bot import install_delivery_trigger
    from jobs.broadcasts import install_prepare_trigger

    create_bot(app)
    install_delivery_trigger()
    install_prepare_trigger()
    embedded.init_app(app)


def _register_observability(app: Flask) -> None:
    from webapp.observability import configure_logging, init_sentry, register_request_hooks

    configure_logging(app)
    init_sentry(app)
    register_request_hooks(app)


def _register_blueprints(app: HubOpenAPI) -> None:
    from bot import webhook as bot_webhook
    from webapp.accounts import api as users_api
    from webapp.accounts import views as users_views
    from webapp.admin import init_admin
    from webapp.admin.broadcasts import api as broadcasts_api
    from webapp.auth import api as auth_api
    from webapp.auth import views as auth_views
    from webapp.cities import api as cities_api
    from webapp.cities import views as cities_views
    from webapp.core import views as core_views
    from webapp.events import api as events_api
    from webapp.events import calendar_api as events_calendar
    from webapp.events import views as events_views
    from webapp.home import views as home_views
    from webapp.market import api as market_api
    from webapp.market import views as market_views
    from webapp.problems import api as problems_api
    from webapp.problems import views as problems_views
    from webapp.tasks import api as tasks_api
    from webapp.tasks import views as tasks_views
    from webapp.tickets import api as tickets_api
    from webapp.tickets import views as tickets_views
    from webapp.training import api as training_api
    from webapp.training import views as training_views

    api_blueprints = (
        auth_api.bp,
        users_api.bp,
        cities_api.bp,
        tasks_api.bp,
        events_api.bp,
        *events_calendar.BLUEPRINTS,
        tickets_api.bp,
        tickets_api.admin_bp,
        *problems_api.blueprints,
        *market_api.BLUEPRINTS,
        training_api.bp,
        broadcasts_api.bp,
    )
    for api_bp in api_blueprints:
        app.register_api(api_bp)
    page_blueprints = (
        core_views.bp,
        home_views.bp,
        auth_views.bp,
        tasks_views.bp,
        events_views.bp,
        tickets_views.bp,
        problems_views.bp,
        market_views.bp,
        users_views.bp,
        training_views.bp,
        cities_views.bp,
        *events_calendar.PAGE_BLUEPRINTS,
    )
    for page_bp in page_blueprints:
        app.register_blueprint(page_bp)
    # The city typeahead's fragments never ask who calls (the core's cities sit below
    # sign-in), yet speak the caller's language: the caller is identified before them.
    app.before_request_funcs.setdefault(cities_views.bp.name, []).append(identify_caller)
    # The community profile (core) names sports of the events catalogue.
    from webapp.events.sports import sport_names

    app.extensions["hub_sports"] = sport_names
    # Display names of the choices admins keep (categories, ticket types), for the core's
    # `choice_name`, which sits below them.
    from webapp.core.choices import kept_names

    app.extensions["hub_choice_names"] = kept_names
    init_admin(app)
    app.register_blueprint(bot_webhook.bp)
    if app.config["APP_ENV"] == "development":
        from webapp.demo import dev_bp

        app.register_blueprint(dev_bp)  # short local launch links (`flask demo links`)


def _register_cli(app: Flask) -> None:
    from bot.cli import bot_cli
    from webapp.auth.cli import dev_cli
    from webapp.demo import demo_cli
    from webapp.market.cli import market_cli
    from webapp.problems.cli import problems_cli
    from webapp.users.cli import users_cli

    app.cli.add_command(dev_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(problems_cli)
    app.cli.add_command(market_cli)
    app.cli.add_command(bot_cli)


def _register_templating(app: Flask) -> None:
    from flask_babel import get_locale

    from webapp.htmx import row_url
    from webapp.i18n import TIME_FILTERS, choice_name, choice_options, install_template_gettext

    install_template_gettext(app.jinja_env)  # after Flask-Babel's, which it replaces
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["choice_name"] = choice_name
    app.jinja_env.globals["choice_options"] = choice_options
    app.jinja_env.globals["row_url"] = row_url  # url_for for the URLs a list repeats per row
    app.jinja_env.filters.update(TIME_FILTERS)

    @app.after_request
    def content_language(response: Response) -> Response:
        """A page says its language: the Mini App keeps `<html lang>` in step after a swap."""
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Language", str(get_locale()))
        return response

    @app.context_processor
    def layout_context() -> dict[str, Any]:
        """`layout`: a page template extends it, so one template answers both the full page
        and the HTMX fragment (`HX-Request` without a history restore)."""
        from webapp.htmx import wants_fragment

        return {
            "layout": "fragment.html" if wants_fragment() else "base.html",
            "current_user_obj": g.get("user"),
            "telegram_webapp_js_url": app.config["TELEGRAM_WEBAPP_JS_URL"],
        }


def _ensure_sqlite_folder(url: str) -> None:
    """The embedded default keeps its SQLite file under instance/: make the folder."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != prefix + ":memory:":
        Path(url[len(prefix) :]).parent.mkdir(parents=True, exist_ok=True)


def _project_path(name: str) -> Path:
    return Path(__file__).resolve().parent.parent / name
