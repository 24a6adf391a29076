"""The Mini App's start screen (`/`): the greeting, signed in from initData by the page's
script (`webapp/auth/views.py` trades it for a session), and a tile per module."""

from __future__ import annotations

from flask import Blueprint, current_app, g, render_template
from flask_babel import lazy_gettext as _l

from webapp.auth.identity import resolve_user
from webapp.errors import DomainError

bp = Blueprint("home", __name__)

# The module tiles: (endpoint, title, icon). A tile whose page is not built yet is
# shown as "coming soon".
MODULE_TILES = (
    ("tasks_pages.tasks_page", _l("Tasks"), "✅"),
    ("events_pages.events_page", _l("Events"), "📅"),
    ("tickets_pages.tickets_page", _l("Tickets"), "🎟"),
    ("problems_pages.problems_page", _l("Problems"), "🧩"),
    ("market_pages.feed_page", _l("Urgent jobs"), "⚡"),
    ("training_pages.log_page", _l("Training log"), "🏋️"),
)


@bp.get("/")
def shell():
    """The Mini App shell: signs in from initData (in JS) and shows the module tiles."""
    try:
        resolve_user()
    except DomainError:
        g.user = None  # stale credentials: the shell signs in again from initData
    tiles = [
        {
            "endpoint": endpoint,
            "title": title,
            "icon": icon,
            "ready": endpoint in current_app.view_functions,
        }
        for endpoint, title, icon in MODULE_TILES
    ]
    return render_template("home/shell.html", tiles=tiles, user=g.user)
