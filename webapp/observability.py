"""Logs, request ids, Prometheus metrics, optional Sentry, and security headers.

* Every request gets an id (`X-Request-ID` in, or a new one) that appears in each log line
  and in the response.
* Logs: one line per request (`hub.access`; the development server's own request line is
  dropped), JSON lines in production, plain `12:00:01 INFO hub.access GET / 200 3 ms [id]`
  lines elsewhere; the bot token is redacted from every line.
* `/metrics` serves Prometheus metrics to `Authorization: Bearer <METRICS_TOKEN>` (without a
  token: open in development, 404 in production); under gunicorn with `PROMETHEUS_MULTIPROC_DIR` set
  (see `gunicorn.conf.py`) it aggregates every worker process.
* Pages may be framed by Telegram's web client only (`frame-ancestors`); production sends
  `Strict-Transport-Security`.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import time
import uuid

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

REQUESTS = Counter("hub_http_requests_total", "HTTP requests", ["method", "endpoint", "status"])
LATENCY = Histogram(
    "hub_http_request_duration_seconds", "HTTP request duration", ["method", "endpoint"]
)


_SECRETS: set[str] = set()


def redact_secrets(text: str) -> str:
    """`text` with every registered secret (the bot token) replaced by `<redacted>`."""
    for secret in _SECRETS:
        text = text.replace(secret, "<redacted>")
    return text


class RedactingJsonFormatter(JsonFormatter):
    """JSON lines with every registered secret removed — the last guard: no line carries the
    bot token, whoever formats an exception or a URL into a message, a traceback or an extra
    field (telebot's errors name `/bot<token>/<method>`)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_secrets(super().format(record))


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.request_id = g.get("request_id", "-")
        except RuntimeError:  # outside a request or app context
            record.request_id = "-"
        return True


class ReadableFormatter(logging.Formatter):
    """`12:00:01 INFO hub.access GET / 200 3 ms [request id]` (no id outside a request)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s", datefmt="%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        line = redact_secrets(super().format(record))
        request_id = getattr(record, "request_id", "-")
        if request_id == "-":
            return line
        first, newline, rest = line.partition("\n")  # a traceback goes below the id
        return f"{first} [{request_id}]{newline}{rest}"


class DevServerRequestFilter(logging.Filter):
    """Drop the development server's own line per request: `hub.access` logs each one."""

    def filter(self, record: logging.LogRecord) -> bool:
        # werkzeug's `log_request` is its only message of this shape (the request line, the
        # status, the size); its start-up banner and errors pass.
        return not (isinstance(record.msg, str) and record.msg.endswith('"%s" %s %s'))


def log_formatter(app_env: str) -> logging.Formatter:
    """JSON in production (for the log collector), readable lines elsewhere."""
    if app_env == "production":
        return RedactingJsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    return ReadableFormatter()


def configure_logging(app: Flask) -> None:
    """One handler on stderr for the process, in the format of the app's environment, with
    the request id and secrets redacted."""
    token = app.config.get("TELEGRAM_BOT_TOKEN")
    if token:
        _SECRETS.add(token)
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "_hub", False)), None)
    if handler is None:
        handler = logging.StreamHandler()
        handler._hub = True  # type: ignore[attr-defined]
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
        logging.getLogger("werkzeug").addFilter(DevServerRequestFilter())
    handler.setFormatter(log_formatter(app.config["APP_ENV"]))
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))


def init_sentry(app: Flask) -> None:
    dsn = app.config.get("SENTRY_DSN")
    if not dsn:
        return
    import sentry_sdk

    sentry_sdk.init(dsn=dsn, environment=app.config["APP_ENV"], traces_sample_rate=0.0)


def metrics_allowed(app: Flask, authorization: str) -> bool:
    """`/metrics` answers a `Bearer <METRICS_TOKEN>` caller; without a token configured, only
    outside production (there it is not public at all)."""
    token = app.config.get("METRICS_TOKEN")
    if not token:
        return bool(app.config.get("METRICS_OPEN_WITHOUT_TOKEN"))
    scheme, _, value = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip(), token)


def metrics_response() -> Response:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        data = generate_latest(registry)
    else:
        data = generate_latest()
    return Response(data, mimetype=CONTENT_TYPE_LATEST)


def register_request_hooks(app: Flask) -> None:
    frame_ancestors = " ".join(["'self'", *app.config["FRAME_ANCESTORS"]])
    access_log = logging.getLogger("hub.access")

    @app.before_request
    def start_request() -> None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    hsts_max_age = int(app.config.get("HSTS_MAX_AGE") or 0)

    @app.after_request
    def finish_request(response: Response) -> Response:
        response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
        if hsts_max_age:
            response.headers.setdefault(
                "Strict-Transport-Security", f"max-age={hsts_max_age}; includeSubDomains"
            )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("Content-Security-Policy", f"frame-ancestors {frame_ancestors}")
        if response.mimetype == "text/html":
            # Pages answer a full document or a fragment (and which fragment) by these.
            response.vary.add("HX-Request")
            response.vary.add("HX-Target")
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        elapsed = time.perf_counter() - g.get("request_started", time.perf_counter())
        REQUESTS.labels(request.method, endpoint, response.status_code).inc()
        LATENCY.labels(request.method, endpoint).observe(elapsed)
        if endpoint not in ("/metrics", "/health"):
            access_log.info(
                "%s %s %s %.0f ms",
                request.method,
                request.path,
                response.status_code,
                elapsed * 1000,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )
        return response
