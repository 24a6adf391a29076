"""Operations: `/health`, `/version`, `/metrics` and the API documents (`/openapi.json`,
`/docs`, `/redoc`). The Mini App's start screen is `webapp/home`."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, cast

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    request,
    url_for,
)
from sqlalchemy import text

from webapp.config import VERSION
from webapp.core.periodic import periodic_health
from webapp.extensions import db
from webapp.observability import metrics_allowed, metrics_response
from webapp.redis_store import get_redis

if TYPE_CHECKING:
    from flask_openapi3 import OpenAPI

bp = Blueprint("core", __name__)
log = logging.getLogger(__name__)


@bp.get("/health")
def health():
    """Database, Redis and periodic jobs; 503 when the database is down or a periodic job
    is more than three periods late (its schedule stopped)."""
    checks: dict[str, object] = {}
    healthy = True
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any failure means "down"
        log.warning("health: database down: %s", exc)
        db.session.rollback()
        checks["database"] = "down"
        healthy = False
    redis = get_redis()
    if redis is None:
        checks["redis"] = "not configured"
    else:
        try:
            redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            log.warning("health: redis down: %s", exc)
            checks["redis"] = "down"
    late = False
    if healthy:
        periodic = _periodic_checks()
        checks["periodic"] = periodic
        overdue = (
            [n for n, j in periodic.items() if j["overdue"]] if isinstance(periodic, dict) else []
        )
        late = bool(overdue)
        if late:
            log.warning("health: periodic jobs overdue: %s", overdue)
    if not healthy:
        status = "down"
    elif late:
        status = "overdue"
    else:
        status = "ok" if checks["redis"] != "down" else "degraded"
    return jsonify(status=status, checks=checks), 200 if healthy and not late else 503


def _periodic_checks() -> dict[str, dict[str, object]] | str:
    """Each periodic job's last successful run (none are scheduled when jobs run inline)."""
    jobs = current_app.extensions.get("hub_periodic_jobs")
    if not jobs or current_app.config.get("JOBS_INLINE"):
        return "not scheduled"
    since = current_app.extensions["hub_periodic_since"]
    return {job.name: job.as_json() for job in periodic_health(jobs, since=since)}


@bp.get("/version")
def version():
    config = current_app.config
    return jsonify(
        version=config.get("APP_VERSION") or VERSION,
        git_sha=config.get("GIT_SHA"),
        environment=config["APP_ENV"],
    )


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI document, generated from the endpoints' own pydantic schemas."""
    return jsonify(cast("OpenAPI", current_app).api_doc)  # the factory builds an OpenAPI app


@bp.get("/docs")
def swagger_ui():
    return redirect(url_for("swagger.swagger"))


@bp.get("/redoc")
def redoc():
    return redirect(url_for("redoc.redoc"))


@bp.get("/metrics")
def metrics():
    """Prometheus metrics, for the bearer of `METRICS_TOKEN` only (see `.env.example`)."""
    if not metrics_allowed(current_app, request.headers.get("Authorization", "")):
        abort(404)  # not public: nothing here even says it exists
    return metrics_response()
