"""Where a Mini App `startapp` parameter (`event_5`, `order_ab12…`) leads.

Features add their prefix here: prefix → (endpoint, name of the id argument). An unknown
prefix, an unknown endpoint or a malformed id leads nowhere (the shell stays open).
"""

from __future__ import annotations

import re

from flask import current_app, url_for

START_PARAM_ROUTES: dict[str, tuple[str, str]] = {
    "event": ("events_pages.event_page", "event_id"),
    "order": ("market_pages.order_page", "order_id"),
    "problem": ("problems_pages.problem_page", "problem_id"),
}
_START_PARAM = re.compile(r"^(?P<prefix>[a-z]+)_(?P<ident>[A-Za-z0-9-]{1,64})$")


def start_param_url(start_param: str | None) -> str | None:
    match = _START_PARAM.match(start_param or "")
    if not match or match["prefix"] not in START_PARAM_ROUTES:
        return None
    endpoint, argument = START_PARAM_ROUTES[match["prefix"]]
    if endpoint not in current_app.view_functions:
        return None
    ident: str | int = match["ident"]
    if argument.endswith("_id") and str(ident).isdigit() and match["prefix"] != "order":
        ident = int(ident)
    return url_for(endpoint, **{argument: ident})
