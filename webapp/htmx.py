"""HTMX on the page routes: what a request asked for, and the headers an answer sends.

Every page route reads HTMX's request headers and builds its response headers here, so the
header names, the toast event and the "after a change, go there" answer live in one place.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, make_response, redirect, request
from werkzeug.wrappers import Response as BaseResponse

TOAST_EVENT = "hub:toast"


def is_htmx() -> bool:
    """Was this request made by HTMX (not a plain link or form)?"""
    return request.headers.get("HX-Request") == "true"


def wants_fragment() -> bool:
    """Does HTMX want a fragment? A history restore (back after a reload) wants the page."""
    return is_htmx() and not request.headers.get("HX-History-Restore-Request")


def targets(element_id: str) -> bool:
    """Did HTMX ask for the element `element_id` only (not the whole page)?"""
    return wants_fragment() and request.headers.get("HX-Target") == element_id


def answer(
    body: str = "",
    status: int = 200,
    *,
    toast: Any = None,
    location: str | None = None,
    retarget: str | None = None,
    reswap: str | None = None,
    push_url: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A page answer with HTMX's response headers.

    `toast` shows a message (the `hub:toast` event), `location` makes HTMX load that path
    into `#main`, `retarget`/`reswap` change where and how the body is swapped.
    """
    response = make_response(body, status)
    if toast is not None:
        response.headers["HX-Trigger"] = json.dumps({TOAST_EVENT: str(toast)})
    if location is not None:
        response.headers["HX-Location"] = json.dumps({"path": location, "target": "#main"})
    if retarget is not None:
        response.headers["HX-Retarget"] = retarget
    if reswap is not None:
        response.headers["HX-Reswap"] = reswap
    if push_url is not None:
        response.headers["HX-Push-Url"] = push_url
    for name, value in (headers or {}).items():
        response.headers[name] = value
    response.vary.add("HX-Request")
    return response


def go(url: str, *, toast: Any = None) -> BaseResponse:
    """After a change: HTMX loads `url` into `#main` (with an optional toast); a plain form
    post gets a 303 redirect."""
    if is_htmx():
        return answer("", 204, toast=toast, location=url)
    response = redirect(url, 303)
    response.vary.add("HX-Request")
    return response
