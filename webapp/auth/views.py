"""Page sign-in: the shell trades `initData` for a session cookie."""

from __future__ import annotations

import json

from flask import Blueprint, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import login_user

from webapp.auth.identity import INIT_DATA_HEADER, user_from_init_data
from webapp.core.start_param import start_param_url
from webapp.errors import Forbidden, Unauthorized
from webapp.extensions import csrf

bp = Blueprint("auth_pages", __name__)


@bp.post("/auth/session")
@csrf.exempt  # authenticated by the signed initData itself, which no other site can forge
def start_session():
    """Validate initData (header or form), open a session, answer the greeting fragment.

    With a `start_param` the answer also carries `HX-Location`, so the shell opens the
    linked event, order or problem.
    """
    raw = request.headers.get(INIT_DATA_HEADER) or request.form.get("init_data", "")
    if not raw:
        raise Unauthorized(_l("Open this app from Telegram."), reason="missing")
    user = user_from_init_data(raw)
    if user.is_banned:
        raise Forbidden(_l("This account is banned."), reason="banned")
    login_user(user)
    g.user = user
    response = render_template("core/partials/_greeting.html", user=user)
    headers = {}
    target = start_param_url(g.init_data.start_param or request.form.get("start_param"))
    if target:
        headers["HX-Location"] = json.dumps({"path": target, "target": "#main"})
    return response, 200, headers
