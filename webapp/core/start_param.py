"""Where a Mini App `startapp` parameter (`event_5`, `order_ab12…`) leads.

Features add their prefix here: prefix → (endpoint, id argument, id parser). An unknown
prefix, an unknown endpoint or a malformed id leads nowhere (the shell stays open).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import current_app, url_for

START_PARAM_ROUTES: dict[str, tuple[str, str, Callable[[str], object]]] = {
    # prefix: (endpoint, id argument, how the id is read — a ValueError leads nowhere)
    "event": ("events_pages.event_page", "event_id", int),
    "order": ("market_pages.order_page", "order_id", str),
    "problem": ("problems_pages.problem_page", "problem_id", int),
}
_START_PARAM = re.compile(r"^(?P<prefix>[a-z]+)_(?P<ident>[A-Za-z0-9-]{1,64})$")


def start_param_url(start_param: str | None) -> str | None:
    match = _START_PARAM.match(start_param or "")
    if not match or match["prefix"] not in START_PARAM_ROUTES:
        return None
    endpoint, argument, parse = START_PARAM_ROUTES[match["prefix"]]
    if endpoint not in current_app.view_functions:
        return None
    try:
        ident = parse(match["ident"])
    except ValueError:
        return None
    values: dict[str, Any] = {argument: ident}
    return url_for(endpoint, **values)
