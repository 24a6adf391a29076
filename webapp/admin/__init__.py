"""The admin dashboard at `/admin`: Flask-Admin behind its own password sign-in.

`init_admin(app)` builds one `Admin` per app (tests build many apps), registers the
sign-in blueprint (`/admin/login`, `/admin/logout`) and every module's views, listed in
`webapp.admin.views.VIEW_MODULES`. Every change made here goes through the feature's
services and is written to the audit log (`webapp.admin.audit`) in the same transaction.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, request
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

from webapp.admin.access import ADMIN_URL, SecureIndexView, dashboard_zone

# What Flask-Admin's own Russian catalog lacks (see the .po file there).
FLASK_ADMIN_TRANSLATIONS = Path(__file__).parent / "flask_admin_translations"


def init_admin(app: Flask) -> Admin:
    """Mount the dashboard on `app` and return its `Admin`."""
    from webapp.admin import auth
    from webapp.admin.labels import enum_label
    from webapp.admin.views import register_all

    admin = Admin(
        app,
        name="Hub",
        url=ADMIN_URL,
        theme=Bootstrap4Theme(base_template="admin/hub/base.html", fluid=True),
        index_view=SecureIndexView(url=ADMIN_URL, template="admin/hub/index.html"),
        translations_path=str(FLASK_ADMIN_TRANSLATIONS),
    )
    register_all(admin)
    app.register_blueprint(auth.bp)
    app.add_template_filter(enum_label, "enum_label")  # a status in a custom dashboard page
    app.add_template_global(dashboard_zone, "dashboard_zone")  # named on every page

    @app.after_request
    def dashboard_headers(response: Response) -> Response:
        """The dashboard is never framed (not even by Telegram) and never cached."""
        if request.path == ADMIN_URL or request.path.startswith(ADMIN_URL + "/"):
            own = response.headers.get("Content-Security-Policy")  # a chart's SVG has one
            policy = "; ".join(part for part in (own, "frame-ancestors 'none'") if part)
            response.headers["Content-Security-Policy"] = policy
            response.headers["X-Frame-Options"] = "DENY"
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return admin
