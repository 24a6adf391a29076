"""The city typeahead's fragments (`ui.city_typeahead` in `webapp/templates/ui.html`): public,
as the feed filter asks them before anyone signs in.

* `GET /cities/suggest?field=<name>&<name>_text=<typed>[&link=/path?query]` — the matching
  cities as tappable cells: without `link` a tap asks `/cities/pick` (the field takes the
  city); with `link` each cell is a link to `link` plus `city=<id>` (a feed filter).
* `GET /cities/pick?field=<name>&id=<id>` — the field's inputs holding that city.
"""

from __future__ import annotations

import re

from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale

from webapp import htmx
from webapp.cities.directory import City, get_city, search_cities

bp = Blueprint("cities_pages", __name__)
SUGGESTIONS = 8
_FIELD = re.compile(r"[a-z][a-z_]{0,31}")


def _field() -> str:
    field = request.args.get("field", "")
    if not _FIELD.fullmatch(field):
        abort(422)
    return field


def _link() -> str | None:
    """A same-site path the picked city is added to; anything else is refused."""
    link = request.args.get("link") or None
    if link is not None and (not link.startswith("/") or link.startswith("//") or "\\" in link):
        abort(422)
    return link


def _language() -> str:
    return str(get_locale() or "en")


def link_to(link: str, city: City) -> str:
    return f"{link}{'&' if '?' in link else '?'}city={city.id}"


@bp.get("/cities/suggest")
def suggest():
    """The cities whose name starts with what was typed, most populous first."""
    field, link = _field(), _link()
    typed = request.args.get(f"{field}_text", "")[:100]
    found = search_cities(typed, limit=SUGGESTIONS).items if typed.strip() else []
    html = render_template(
        "cities/partials/_suggestions.html",
        field=field,
        link=link,
        typed=typed,
        cities=found,
        language=_language(),
        link_to=link_to,
    )
    return htmx.answer(html)


@bp.get("/cities/pick")
def pick():
    """The field's inputs holding the picked city (its id and its name)."""
    field = _field()
    raw = request.args.get("id", "")
    city = get_city(int(raw)) if raw.isdigit() and 0 < int(raw) < 2**31 else None
    if city is None:
        abort(404)
    html = render_template(
        "cities/partials/_pick.html", field=field, city=city, language=_language()
    )
    return htmx.answer(html)
