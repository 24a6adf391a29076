"""HTMX on the page routes: what a request asked for, and the headers an answer sends.

Every page route reads HTMX's request headers and builds its response headers here, so the
header names, the toast event and the "after a change, go there" answer live in one place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from flask import Response, g, make_response, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

TOAST_EVENT = "hub:toast"

_INT_MARKER = 7_093_418_265_000
_STR_MARKER = "zqx7093418265m"
_SAFE_TEXT = re.compile(r"[A-Za-z0-9._~-]+")
"""Characters that URL quoting leaves as they are, in a path part and in a query value."""


def is_htmx() -> bool:
    """Was this request made by HTMX (not a plain link or form)?"""
    return request.headers.get("HX-Request") == "true"


def wants_fragment() -> bool:
    """Does HTMX want a fragment? A history restore (back after a reload) wants the page."""
    return is_htmx() and not request.headers.get("HX-History-Restore-Request")


def targets(element_id: str) -> bool:
    """Did HTMX ask for the element `element_id` only (not the whole page)?"""
    return wants_fragment() and request.headers.get("HX-Target") == element_id


def row_url(endpoint: str, **values: Any) -> str:
    """`url_for(endpoint, **values)` for a list's rows, where the same URL is built once per
    row with another id: the URL is built once per request with marker values and each
    row's values put in their place (a list of 50 rows called `url_for` 100-150 times,
    about a tenth of rendering the `/tasks` page).

    Only values that come out of a URL unchanged take the short way: integers, and text
    of unreserved characters (`A-Z a-z 0-9 . _ ~ -`); anything else, or an endpoint whose
    URL does not hold each marker once (a converter that refuses it), is `url_for`'s."""
    kinds: list[type] = []
    for value in values.values():
        if type(value) is int:
            kinds.append(int)
        elif type(value) is str and _SAFE_TEXT.fullmatch(value):
            kinds.append(str)
        else:
            return url_for(endpoint, **values)
    key = (endpoint, *values, *kinds)
    patterns = g.setdefault("_row_url_patterns", {})
    pattern = patterns.get(key, False)
    if pattern is False:
        pattern = patterns[key] = _url_pattern(endpoint, list(values), kinds)
    if pattern is None:
        return url_for(endpoint, **values)
    return pattern.format(*values.values())


def _url_pattern(endpoint: str, names: list[str], kinds: Sequence[type]) -> str | None:
    """`url_for(endpoint, …)` as a `str.format` pattern with `{0}`, `{1}`… where the
    values go, or None when the markers cannot stand for them."""
    markers = [
        f"{_STR_MARKER}{i}" if kind is str else str(_INT_MARKER + i) for i, kind in enumerate(kinds)
    ]
    marked: dict[str, Any] = {
        name: (marker if kind is str else int(marker))
        for name, kind, marker in zip(names, kinds, markers, strict=True)
    }
    try:
        built = url_for(endpoint, **marked)
    except Exception:  # a converter that refuses the marker (its range, its form)
        return None
    pattern = built.replace("{", "{{").replace("}", "}}")
    for i, marker in reversed(list(enumerate(markers))):  # ...12 before ...1
        if pattern.count(marker) != 1:
            return None
        pattern = pattern.replace(marker, "{" + str(i) + "}")
    return pattern


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
