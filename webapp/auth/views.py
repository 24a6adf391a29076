"""Page sign-in: the shell trades `initData` for a session cookie."""

from __future__ import annotations

from flask import Blueprint, Response, g, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import login_user

from webapp import htmx
from webapp.auth.identity import INIT_DATA_HEADER, require_user
from webapp.core.start_param import start_param_url
from webapp.errors import Unauthorized
from webapp.extensions import db
from webapp.users import services as users

bp = Blueprint("auth_pages", __name__)


@bp.post("/auth/session")
def start_session() -> Response:
    """Validate the initData header, open a session, answer the greeting fragment.

    With a start parameter (in initData, or `start_param` from the launch URL) the answer
    also carries `HX-Location`, so the shell opens the linked event, order or problem; when
    the shell was drawn in another language than the user's, it is drawn again. The
    browser's IANA time zone (`time_zone`) is stored on the user for local times.
    """
    if not request.headers.get(INIT_DATA_HEADER):
        raise Unauthorized(_l("Open this app from Telegram."), reason="missing")
    user = require_user()
    if users.set_time_zone(user, request.form.get("time_zone")):
        db.session.commit()  # the zone the page reported: local times from now on
    login_user(user)
    response = render_template("home/partials/_greeting.html", user=user)
    target = start_param_url(g.init_data.start_param or request.form.get("start_param"))
    rendered = request.form.get("rendered_locale")
    if target is None and rendered and rendered != str(get_locale()):
        target = url_for("home.shell")  # the shell was drawn before we knew the language
    return htmx.answer(response, location=target)
