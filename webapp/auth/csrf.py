"""CSRF protection where — and only where — a cookie is what authenticates a request.

* `/api/…` never accepts the session cookie (header credentials only) and `/telegram/…` is
  authenticated by Telegram's secret header: nothing for a forged cross-site form to ride on.
* A page request that carries `X-Telegram-Init-Data` is authenticated by that signed
  header, which no other site can make a browser send (a custom header needs CORS, which we
  never grant). The header is validated here, so a bad one is a 401, not a skipped check.
  This matters inside Telegram's web client: the Mini App lives in a cross-site iframe
  where browsers may withhold cookies, and with them the CSRF session token.
* Everything else — cookie sessions in a normal browser, the admin dashboard — must send
  the Flask-WTF token (`X-CSRFToken` from HTMX, or the form's `csrf_token`).
"""

from __future__ import annotations

from flask import Flask, current_app, request

from webapp.auth.identity import INIT_DATA_HEADER, resolve_user
from webapp.extensions import csrf

HEADER_AUTHENTICATED_PREFIXES = ("/api/", "/telegram/")


def protect_cookie_sessions() -> None:
    config = current_app.config
    if not config.get("WTF_CSRF_ENABLED", True):
        return
    if request.method not in config.get("WTF_CSRF_METHODS", ("POST", "PUT", "PATCH", "DELETE")):
        return
    if request.path.startswith(HEADER_AUTHENTICATED_PREFIXES):
        return
    if request.headers.get(INIT_DATA_HEADER):
        resolve_user()  # raises 401 when the header is not a valid, signed initData
        return
    csrf.protect()


def init_csrf(app: Flask) -> None:
    # Flask-WTF's own blanket check is off; this one knows which requests ride on a cookie.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    app.before_request(protect_cookie_sessions)
