"""Calendar files (iCalendar, RFC 5545, written with the `icalendar` library).

* `event_ics(event)` — one event, for `GET /api/events/<id>.ics` and the event page's
  "Add to calendar" button;
* `feed_ics(user)` — the personal feed at `/calendar/<secret>.ics`: the events the user
  joined, from 30 days back; a calendar app subscribes to it and refreshes it hourly.

Times are written in UTC (`DTSTART:20261205T150000Z`), which every client shows in the
device's own zone: a 18:00 Moscow training is 18:00 on a phone in Moscow. An event has no
end of its own, so it lasts `DEFAULT_DURATION` (one hour) unless the model grows an
`ends_at`. Each event's UID is stable (`event-<id>@<host>`) and its SEQUENCE follows the
event's `version`, so re-importing or refreshing updates the entry instead of adding a
copy; a cancelled event stays in the feed with `STATUS:CANCELLED`, so the client drops it.

The one-event link is signed (`signed_event_key`), so it also opens outside the Mini App
(Telegram hands an .ics to the phone's browser or calendar, which carry no credentials).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import icalendar
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from webapp.database import utcnow
from webapp.events.models import Event, Participant
from webapp.events.services import event_link
from webapp.extensions import db
from webapp.i18n import user_locale
from webapp.users.models import User

DEFAULT_DURATION = timedelta(hours=1)
FEED_PAST = timedelta(days=30)  # the feed keeps the last month's events too
FEED_LIMIT = 500
PRODID = "-//Hub//Events//EN"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="event-ics")


def signed_event_key(event_id: int) -> str:
    """The key that opens this event's .ics without credentials (it names the event only)."""
    return str(_serializer().dumps(event_id))


def event_key_valid(event_id: int, key: str | None) -> bool:
    if not key:
        return False
    try:
        return bool(_serializer().loads(key) == event_id)
    except BadSignature:
        return False


def _host() -> str:
    return urlsplit(current_app.config["WEBAPP_URL"]).hostname or "hub"


def _calendar(name: str | None = None) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("name", name)
    return calendar


def _vevent(event: Event, stamp: datetime) -> icalendar.Event:
    link = event_link(event.id)
    entry = icalendar.Event()
    entry.add("uid", f"event-{event.id}@{_host()}")
    entry.add("dtstamp", stamp)
    entry.add("dtstart", event.starts_at)
    ends_at = getattr(event, "ends_at", None) or event.starts_at + DEFAULT_DURATION
    entry.add("dtend", ends_at)
    entry.add("summary", event.title)
    description = "\n\n".join(part for part in (event.description.strip(), link) if part)
    entry.add("description", description)
    if event.location:
        entry.add("location", event.location)
    if event.latitude is not None and event.longitude is not None:
        entry.add("geo", (event.latitude, event.longitude))
    entry.add("url", link)
    entry.add("last-modified", event.updated_at)
    # Each change people are told about raises `version`: a client takes the newer copy.
    entry.add("sequence", max(event.version - 1, 0))
    entry.add("status", "CANCELLED" if event.cancelled_at is not None else "CONFIRMED")
    return entry


def event_ics(event: Event) -> bytes:
    """One event as an iCalendar file."""
    calendar = _calendar()
    calendar.add_component(_vevent(event, utcnow()))
    return bytes(calendar.to_ical())


def joined_events(user: User, *, now: datetime | None = None) -> list[Event]:
    """The events `user` takes part in that start after a month ago, soonest first."""
    since = (now or utcnow()) - FEED_PAST
    query = (
        select(Event)
        .join(Participant, Participant.event_id == Event.id)
        .where(Participant.user_id == user.id, Event.starts_at >= since)
        .order_by(Event.starts_at, Event.id)
        .limit(FEED_LIMIT)
    )
    return list(db.session.scalars(query))


def feed_ics(user: User, *, now: datetime | None = None) -> bytes:
    """The personal feed: the events `user` joined, named in their language."""
    with force_locale(user_locale(user)):
        calendar = _calendar(_("Hub: my events"))
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    _add_events(calendar, joined_events(user, now=now), now or utcnow())
    return bytes(calendar.to_ical())


def _add_events(calendar: icalendar.Calendar, events: Iterable[Event], stamp: Any) -> None:
    for event in events:
        calendar.add_component(_vevent(event, stamp))
