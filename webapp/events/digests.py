"""What the bot's everyday commands list (issue 11): `/events`, `/my`, `/applications`.

Read-only queries over events, participants and requests; the bot (`bot/handlers/
event_commands.py`) words them and adds the buttons. Each list is short (`LIMIT` items):
a chat message is not a page; its "Open" buttons lead to the Mini App for the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from webapp.database import utcnow
from webapp.events.models import Event, EventRequest, Participant, RequestStatus
from webapp.extensions import db
from webapp.users.models import User

LIMIT = 10


def upcoming_near(
    user: User, *, limit: int = LIMIT, now: datetime | None = None
) -> tuple[list[Event], bool]:
    """Upcoming events (not cancelled) in the city of the user's profile, soonest first,
    and whether they are of that city (False: no city in the profile, so everywhere)."""
    now = now or utcnow()
    query = select(Event).where(Event.starts_at > now, Event.cancelled_at.is_(None))
    by_city = user.city_id is not None
    if by_city:
        query = query.where(Event.city_id == user.city_id)
    query = query.order_by(Event.starts_at, Event.id).limit(limit)
    return list(db.session.scalars(query)), by_city


@dataclass(frozen=True)
class MyEvent:
    """One upcoming event of the user's, and their place in it: `organiser`, `joined`,
    `pending`, `waitlisted` or `rejected`."""

    event: Event
    role: str


def my_events(user: User, *, limit: int = LIMIT, now: datetime | None = None) -> list[MyEvent]:
    """The user's upcoming events — organised, joined, applied to or waitlisted for —
    soonest first (an event they organise and joined counts once, as organiser)."""
    now = now or utcnow()
    upcoming = (Event.starts_at > now, Event.cancelled_at.is_(None))
    found: dict[int, MyEvent] = {}
    organised = select(Event).where(Event.creator_id == user.id, *upcoming)
    for event in db.session.scalars(organised.order_by(Event.starts_at).limit(limit)):
        found[event.id] = MyEvent(event, "organiser")
    joined = (
        select(Event)
        .join(Participant, Participant.event_id == Event.id)
        .where(Participant.user_id == user.id, *upcoming)
        .order_by(Event.starts_at)
        .limit(limit)
    )
    for event in db.session.scalars(joined):
        found.setdefault(event.id, MyEvent(event, "joined"))
    requested = (
        select(Event, EventRequest.status)
        .join(EventRequest, EventRequest.event_id == Event.id)
        .where(EventRequest.user_id == user.id, *upcoming)
        .order_by(Event.starts_at)
        .limit(limit)
    )
    for event, status in db.session.execute(requested):
        found.setdefault(event.id, MyEvent(event, RequestStatus(status).value))
    ordered = sorted(found.values(), key=lambda item: (item.event.starts_at, item.event.id))
    return ordered[:limit]


@dataclass(frozen=True)
class Awaiting:
    """An application waiting for the organiser's decision."""

    event: Event
    applicant: User
    message: str


def awaiting_decision(
    organiser: User, *, limit: int = LIMIT, now: datetime | None = None
) -> list[Awaiting]:
    """Pending applications to the organiser's upcoming events, oldest first."""
    now = now or utcnow()
    query = (
        select(EventRequest, Event, User)
        .join(Event, Event.id == EventRequest.event_id)
        .join(User, User.id == EventRequest.user_id)
        .where(
            Event.creator_id == organiser.id,
            Event.starts_at > now,
            Event.cancelled_at.is_(None),
            EventRequest.status == RequestStatus.PENDING,
        )
        .order_by(EventRequest.created_at, EventRequest.id)
        .limit(limit)
    )
    return [
        Awaiting(event, applicant, request.message)
        for request, event, applicant in db.session.execute(query)
    ]
