"""Domain errors and how they reach the client.

Services raise the exceptions below; they know nothing of HTTP. Under `/api` (and the
webhook) every error becomes `application/problem+json`; elsewhere an HTML page (or an
HTML fragment for HTMX). Unexpected exceptions roll the session back and answer 500
without internals — except a database that cannot be reached (stopped, restarting, out of
connections): that is a `503` with `Retry-After`, as problem+json or a page. An error page
that cannot be rendered (its template needs the database that is down) falls back to a
plain one, so no error ever escapes to the WSGI server's own HTML 500.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from webapp.extensions import db
from webapp.i18n import validation_message

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
DATABASE_RETRY_AFTER = 5  # seconds a client waits before trying again while the DB is away


class DomainError(Exception):
    """A rule of the product refused the request."""

    status: int = 400
    code: str = "bad-request"
    title: Any = _l("Bad request")

    def __init__(self, detail: Any = None, *, errors: list[dict] | None = None, **extra: Any):
        super().__init__(str(detail or self.title))
        self.detail = detail
        self.errors = errors
        self.extra = extra


class Unauthorized(DomainError):
    status, code, title = 401, "unauthorized", _l("Sign-in required")


class Forbidden(DomainError):
    status, code, title = 403, "forbidden", _l("Not allowed")


class NotFound(DomainError):
    status, code, title = 404, "not-found", _l("Not found")


class Conflict(DomainError):
    status, code, title = 409, "conflict", _l("Conflict with the current state")


class PaymentRequired(DomainError):
    status, code, title = 402, "insufficient-balance", _l("Not enough balance")


class ValidationFailed(DomainError):
    status, code, title = 422, "validation-error", _l("The data is not valid")


class RateLimited(DomainError):
    status, code, title = 429, "rate-limited", _l("Too many requests")

    def __init__(self, detail: Any = None, *, retry_after: int = 60, **extra: Any):
        super().__init__(detail, **extra)
        self.retry_after = retry_after


def field_error(field: str, message: Any, kind: str = "value_error") -> dict[str, str]:
    """One entry of a 422's `errors` list."""
    return {"field": field, "message": str(message), "type": kind}


def pydantic_errors(exc: PydanticValidationError) -> list[dict[str, str]]:
    """A 422's `errors`: each field's message in the user's language (as pages show it)."""
    errors = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = [str(part) for part in err.get("loc", ())]
        message = validation_message(err)
        errors.append(field_error(".".join(loc) or "body", message, err.get("type", "")))
    return errors


def problem(
    status: int,
    title: Any,
    detail: Any = None,
    *,
    code: str | None = None,
    errors: list[dict] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """Build an RFC 9457 problem+json response."""
    body: dict[str, Any] = {
        "type": f"/problems/{code or status}",
        "title": str(title),
        "status": status,
        "detail": str(detail) if detail is not None else str(title),
    }
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    request_id = g.get("request_id")
    if request_id:
        body["request_id"] = request_id
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def validation_problem(exc: PydanticValidationError) -> Response:
    """Pydantic errors in a request as a 422 problem, in the language chosen for the request
    (the app factory identifies the caller first: flask-openapi3 validates before the view)."""
    return problem(
        422,
        ValidationFailed.title,
        _l("Some fields are missing or invalid."),
        code=ValidationFailed.code,
        errors=pydantic_errors(exc),
    )


def wants_problem_json() -> bool:
    path = request.path
    return path.startswith("/api/") or path == "/api" or path.startswith("/telegram/")


def _error_page(status: int, title: Any, detail: Any) -> tuple[str, int]:
    from webapp.htmx import wants_fragment

    template = "errors/fragment.html" if wants_fragment() else "errors/page.html"
    try:
        return render_template(template, status=status, title=title, detail=detail), status
    except Exception:  # the layout needed something that is down: a plain page then
        log.warning("error page %s rendered without its layout", status, exc_info=True)
        plain = (
            f"<!doctype html><meta charset=utf-8><title>{status} · Hub</title>"
            f"<h1>{escape(str(title))}</h1><p>{escape(str(detail))}</p>"
        )
        return plain, status


def is_database_unavailable(exc: BaseException) -> bool:
    """Does `exc` say the database cannot be reached right now (rather than a bug)?"""
    if isinstance(
        exc,
        sa_exc.OperationalError
        | sa_exc.InterfaceError
        | sa_exc.DisconnectionError
        | sa_exc.TimeoutError,
    ):
        return True
    return isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated


def _rollback_quietly() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection is gone; the session is discarded at teardown
        log.debug("rollback failed", exc_info=True)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(exc: DomainError):
        headers = {}
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(exc.retry_after)
        if wants_problem_json():
            return problem(
                exc.status,
                exc.title,
                exc.detail,
                code=exc.code,
                errors=exc.errors
                if exc.errors is not None
                else ([] if exc.status == 422 else None),
                headers=headers,
                **exc.extra,
            )
        detail = exc.detail
        if exc.status == 401:  # the API's sign-in hint names headers; a person opens the app
            detail = _l("Open this app from Telegram to sign in.")
        body, status = _error_page(exc.status, exc.title, detail)
        return body, status, headers

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException):
        if exc.response is not None:  # flask-openapi3 aborts with a ready response
            return exc.response
        headers = {}
        allowed: list[str] | None = getattr(exc, "valid_methods", None)
        if exc.code == 405 and allowed:
            headers["Allow"] = ", ".join(allowed)
        if exc.code == 429:
            headers["Retry-After"] = str(_retry_after(exc))
        if wants_problem_json():
            return problem(exc.code or 500, exc.name, exc.description, headers=headers)
        body, status = _error_page(exc.code or 500, exc.name, exc.description)
        return body, status, headers

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        _rollback_quietly()
        if is_database_unavailable(exc):
            log.warning(
                "database unavailable: %s",
                type(exc.__cause__ or exc).__name__,
                extra={"path": request.path},
            )
            title = _l("Temporarily unavailable")
            detail = _l("The service is briefly unavailable. Try again in a few seconds.")
            headers = {"Retry-After": str(DATABASE_RETRY_AFTER)}
            if wants_problem_json():
                return problem(503, title, detail, code="unavailable", headers=headers)
            body, status = _error_page(503, title, detail)
            return body, status, headers
        log.exception("unhandled error", extra={"path": request.path})
        title = _l("Internal server error")
        detail = _l("Something went wrong on our side. It has been logged.")
        if wants_problem_json():
            return problem(500, title, detail)
        return _error_page(500, title, detail)


def _retry_after(exc: HTTPException) -> int:
    limit = getattr(exc, "limit", None)
    try:
        return max(1, int(limit.limit.get_expiry())) if limit else 60
    except Exception:  # pragma: no cover - defensive: never fail while reporting a limit
        return 60
