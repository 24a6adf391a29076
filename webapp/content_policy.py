"""The Mini App pages' Content-Security-Policy.

Scripts come from this origin and Telegram's (`telegram-web-app.js`), styles only from this
origin: no inline `<script>`, no `style="…"`, no `on…=`/`hx-on` handlers in templates (htmx
runs without eval, configured by a meta tag; `tests/core/test_content_policy.py` renders
every page and fails on one). Framing stays limited to Telegram's web clients. The dashboard
(`/admin`, Flask-Admin's templates) and the API docs keep their own, looser headers.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request

# telegram-web-app.js appends one empty <style> for the web client's custom styles: the hash
# of empty content allows exactly that and nothing else.
EMPTY_STYLE = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
OWN_HEADERS = ("/admin", "/docs", "/redoc", "/openapi")


def page_policy(app: Flask) -> str:
    script = urlsplit(app.config["TELEGRAM_WEBAPP_JS_URL"])
    telegram = f"{script.scheme}://{script.netloc}" if script.netloc else ""
    ancestors = " ".join(["'self'", *app.config["FRAME_ANCESTORS"]])
    directives = [
        "default-src 'self'",
        f"script-src 'self' {telegram}".strip(),
        f"style-src 'self' {EMPTY_STYLE}",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        f"frame-ancestors {ancestors}",
    ]
    return "; ".join(directives)


def init_content_policy(app: Flask) -> None:
    policy = page_policy(app)

    @app.after_request
    def content_policy(response: Response) -> Response:
        if response.mimetype == "text/html" and not request.path.startswith(OWN_HEADERS):
            response.headers["Content-Security-Policy"] = policy
        return response
