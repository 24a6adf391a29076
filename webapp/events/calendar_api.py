"""Calendar routes (`webapp/events/calendar.py` makes the files):

* `GET /api/events/<id>.ics` — one event; for a signed-in caller, or with the signed `key`
  the event page's "Add to calendar" link carries (it opens outside the Mini App too);
* `GET /calendar/<secret>.ics` — the personal feed, for calendar apps (the secret is the
  credential; a reset secret's old URL is a 404);
* `GET /api/users/me/calendar` and `POST /api/users/me/calendar-secret` — the feed's URL,
  and a new secret;
* `/events/calendar` — the page with the feed's URL and the reset button.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from flask import Blueprint, Response, current_app, g, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp import htmx
from webapp.api import Id, Params, Problem, api_blueprint, respond
from webapp.auth.identity import current, login_required, optional_user
from webapp.errors import NotFound, Unauthorized
from webapp.events import calendar
from webapp.events.services import get_event
from webapp.extensions import db
from webapp.users import services as users
from webapp.users.models import User
from webapp.users.schemas import CalendarFeedOut

ICS = "text/calendar; charset=utf-8"
ICS_RESPONSE: dict[Any, Any] = {
    200: {"description": "iCalendar", "content": {"text/calendar": {"schema": {}}}}
}

events_bp = api_blueprint(
    "events_calendar_api",
    __name__,
    "/api/events",
    tag="events",
    security=[{}, {"tma": []}, {"bearer": []}],
)
feed_api_bp = api_blueprint("events_calendar_feed_api", __name__, "/api/users/me", tag="events")
feed_bp = Blueprint("events_calendar_feed", __name__, url_prefix="/calendar")
pages_bp = Blueprint("events_calendar_pages", __name__, url_prefix="/events")


class EventIcsPath(Params):
    event_id: Id


class EventIcsQuery(Params):
    key: str | None = None


def _ics(body: bytes, filename: str, *, cache: str) -> Response:
    response = Response(body, content_type=ICS)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = cache
    return response


@events_bp.get("/<int:event_id>.ics", responses={**ICS_RESPONSE, 404: Problem})
@optional_user
def event_ics(path: EventIcsPath, query: EventIcsQuery):
    """One event as an iCalendar file (`text/calendar`): signed in, or with the event's
    signed `key` from its page."""
    if not calendar.event_key_valid(path.event_id, query.key) and g.get("user") is None:
        raise Unauthorized(_l("Sign-in required."), reason="missing")
    event = get_event(path.event_id)
    return _ics(calendar.event_ics(event), f"event-{event.id}.ics", cache="private, max-age=60")


@feed_bp.get("/<secret>.ics")
def feed(secret: str):
    """The personal feed of the events the secret's owner joined."""
    try:
        user = users.user_by_calendar_secret(secret)
    except NotFound:
        return Response(_("No such calendar."), status=404, content_type="text/plain")
    return _ics(calendar.feed_ics(user), "hub.ics", cache="private, max-age=300")


def feed_url(user: User) -> str:
    """The feed's public URL (on `WEBAPP_URL`), its secret made at first use."""
    path = url_for("events_calendar_feed.feed", secret=users.calendar_secret(user))
    return urljoin(current_app.config["WEBAPP_URL"], path)


@feed_api_bp.get("/calendar", responses={200: CalendarFeedOut})
@login_required
def get_feed():
    """Your personal calendar feed's URL (subscribe a calendar app to it)."""
    url = feed_url(current())
    db.session.commit()
    return respond(CalendarFeedOut, {"url": url})


@feed_api_bp.post("/calendar-secret", responses={200: CalendarFeedOut})
@login_required
def reset_secret():
    """A new secret for your feed: the old URL answers 404 from now on."""
    users.reset_calendar_secret(current())
    db.session.commit()
    return respond(CalendarFeedOut, {"url": feed_url(current())})


@pages_bp.get("/calendar")
@login_required
def calendar_page():
    """The feed: its URL to copy or subscribe to, and the reset button."""
    url = feed_url(current())
    db.session.commit()
    return render_template("events/calendar.html", feed_url=url, webcal=_webcal(url))


@pages_bp.post("/calendar/reset")
@login_required
def reset_page():
    """Reset from the page: the section redrawn with the new URL."""
    users.reset_calendar_secret(current())
    db.session.commit()
    url = feed_url(current())
    html = render_template("events/partials/_calendar_feed.html", feed_url=url, webcal=_webcal(url))
    return htmx.answer(html, toast=_("A new link is made; the old one no longer works."))


def _webcal(url: str) -> str:
    """The `webcal://` form of the feed URL: a phone opens its calendar app to subscribe."""
    return "webcal://" + url.split("://", 1)[-1]


@pages_bp.app_template_global()
def event_ics_url(event_id: int) -> str:
    """The event's .ics link for its page (signed: it opens outside the Mini App too)."""
    key = calendar.signed_event_key(event_id)
    return url_for("events_calendar_api.event_ics", event_id=event_id, key=key)


BLUEPRINTS = (events_bp, feed_api_bp)
PAGE_BLUEPRINTS = (feed_bp, pages_bp)
