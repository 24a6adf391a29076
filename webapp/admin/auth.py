"""Dashboard sign-in and sign-out: `/admin/login` and `/admin/logout`.

A Flask-WTF form (CSRF token), the password rules of `webapp.admin.services`, attempts
rate-limited per client address (`ADMIN_LOGIN_RATE_LIMIT`), a fresh session on success;
signing out ends every cookie session of the account (`users.services.end_sessions`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from webapp.admin.access import ADMIN_URL, clear_session, dashboard_user, mark_session
from webapp.admin.forms import LoginForm
from webapp.admin.services import dashboard_sign_in
from webapp.errors import DomainError
from webapp.extensions import db, limiter
from webapp.users.services import end_sessions

bp = Blueprint("admin_auth", __name__)
DEFAULT_LOGIN_LIMIT = "10 per minute; 50 per hour"


def _login_limit() -> str:
    return current_app.config.get("ADMIN_LOGIN_RATE_LIMIT") or DEFAULT_LOGIN_LIMIT


def _safe_next(target: str | None) -> str:
    """Only a path inside the dashboard: never an open redirect."""
    if target:
        parts = urlsplit(target)
        inside = parts.path == ADMIN_URL or parts.path.startswith(ADMIN_URL + "/")
        if not parts.scheme and not parts.netloc and inside and not target.startswith("//"):
            return target
    return url_for("admin.index")


def _render(form: LoginForm, status: int = 200) -> tuple[str, int]:
    index_view = current_app.extensions["admin"][0].index_view
    return index_view.render("admin/hub/login.html", form=form), status


@bp.route(f"{ADMIN_URL}/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Any:
    """Show the sign-in form; check the password; open a dashboard session."""
    if dashboard_user() is not None:
        return redirect(url_for("admin.index"))
    form = LoginForm()
    if not form.is_submitted():
        form.next.data = request.args.get("next", "")
        return _render(form)
    if not form.validate():
        return _render(form, 422)
    config = current_app.config
    try:
        user = dashboard_sign_in(
            form.username.data or "",
            form.password.data or "",
            admin_login=config.get("ADMIN_USERNAME"),
            admin_password=config.get("ADMIN_PASSWORD"),
        )
    except DomainError as exc:
        db.session.rollback()
        form.password.errors = [str(exc.detail or exc.title)]
        return _render(form, exc.status)
    db.session.commit()  # the first admin account, last_seen_at
    target = _safe_next(form.next.data)
    session.clear()  # nothing from before the sign-in survives it
    login_user(user)
    mark_session(user)
    flash(_("Signed in as %(name)s.", name=user.display_name), "success")
    return redirect(target)


@bp.post(f"{ADMIN_URL}/logout")
def logout() -> Any:
    """Close the dashboard session on the server too (a POST: CSRFProtect checks its token):
    the account's session version goes up, so a copy of the old cookie opens nothing."""
    if current_user.is_authenticated:
        end_sessions(current_user.id)
        db.session.commit()
    clear_session()
    logout_user()
    return redirect(url_for("admin_auth.login"))
