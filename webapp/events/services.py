"""Event rules (SPEC §5 events).

* Everyone signed in sees every event; only its creator or an admin changes or deletes it
  (403 otherwise). An event is created in the future (422 otherwise).
* Joining answers whether the caller was added (201) or already in (200); a full or
  started event refuses (409). Capacity holds under concurrent joins: the seat is taken
  by one guarded `UPDATE … SET participants_count = participants_count + 1 WHERE … <
  capacity`, and (event, user) is unique in the database.
* Capacity cannot drop below the current count (409), checked under the event row lock.
* Leaving a started event is refused (409); leaving when not in is a no-op.
* Reminders: 24 h and 1 h before the start, one bot message per participant per window,
  made exactly once by the outbox's unique `dedupe_key` (two workers may run the job at
  once). The 24 h reminder goes only to people who had joined before the 24 h mark and
  only while the event is more than 1 h away; the 1 h reminder goes to everyone in,
  whenever they joined. Users without a Telegram chat get nothing. A reminder is keyed by
  (event, user, window): moving an event after its reminder went out sends no second one.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from flask_babel import force_locale, format_currency, lazy_ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, String, cast, exists, literal, or_, select, update
from sqlalchemy.engine import CursorResult, Result

from webapp.auth.roles import is_admin
from webapp.cities import find_city, get_city
from webapp.database import insert_ignoring_conflicts, utcnow
from webapp.errors import Conflict, Forbidden, NotFound, ValidationFailed, field_error
from webapp.events.labels import JOIN_MODE_NAMES, KIND_NAMES, LEVEL_NAMES, STATUS_NAMES
from webapp.events.models import Event, EventRequest, Participant
from webapp.events.sports import check_sport, language, sport_name
from webapp.extensions import db
from webapp.i18n import local_datetime, user_locale, user_zone
from webapp.outbox import OutgoingMessage, queue_message
from webapp.pagination import OrderKey, Page, paginate
from webapp.users.models import User

EDITABLE = (
    "title",
    "description",
    "starts_at",
    "location",
    "capacity",
    "kind",
    "sport_key",
    "level",
    "fee",
    "latitude",
    "longitude",
    "city_id",
    "join_mode",
)
REMINDER_WINDOWS: tuple[tuple[str, timedelta], ...] = (
    ("24h", timedelta(hours=24)),
    ("1h", timedelta(hours=1)),
)


@dataclass(frozen=True)
class EventView:
    """An event as one caller sees it: the event and the caller's `status` (none, pending,
    joined, waitlisted, rejected); `distance_km` when the list was asked `near` a point."""

    event: Event
    status: str = "none"
    distance_km: float | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.event, name)

    @property
    def joined(self) -> bool:
        return self.status == "joined"

    @property
    def sport(self) -> str | None:
        return self.event.sport_key

    @property
    def sport_name(self) -> str | None:
        return sport_name(self.event.sport_key)

    @property
    def fee(self) -> dict[str, Any] | None:
        if self.event.fee is None:
            return None
        return {"amount": self.event.fee, "currency": "RUB"}

    @property
    def city(self) -> dict[str, Any] | None:
        return city_of(self.event.city_id)

    @property
    def map_url(self) -> str | None:
        return map_url(self.event.latitude, self.event.longitude)

    @property
    def cancelled(self) -> bool:
        return self.event.cancelled_at is not None

    @property
    def fee_text(self) -> str | None:
        """The fee as people read it ("300,00 ₽"), or None when free."""
        if self.event.fee is None:
            return None
        return str(format_currency(Decimal(self.event.fee).scaleb(-2), "RUB"))

    @property
    def kind_name(self) -> str:
        return str(KIND_NAMES[self.event.kind])

    @property
    def level_name(self) -> str:
        return str(LEVEL_NAMES[self.event.level])

    @property
    def join_mode_name(self) -> str:
        return str(JOIN_MODE_NAMES[self.event.join_mode])

    @property
    def status_name(self) -> str | None:
        name = STATUS_NAMES.get(self.status)
        return None if name is None else str(name)


def city_of(city_id: int | None) -> dict[str, Any] | None:
    """`{"id", "name"}` of a directory city, named in the reader's language."""
    if city_id is None:
        return None
    city = get_city(city_id)
    if city is None:
        return None
    return {"id": city.id, "name": city.name(language())}


def map_url(latitude: float | None, longitude: float | None) -> str | None:
    """An OpenStreetMap link centred on the place (works in any browser and in Telegram)."""
    if latitude is None or longitude is None:
        return None
    return (
        f"https://www.openstreetmap.org/?mlat={latitude:.6f}&mlon={longitude:.6f}"
        f"#map=16/{latitude:.6f}/{longitude:.6f}"
    )


def resolve_city(value: int | str | None) -> int | None:
    """A directory id from an id or a name the directory knows; 422 on `city` otherwise."""
    if value is None:
        return None
    city = get_city(value) if isinstance(value, int) else find_city(value)
    if city is None:
        message = _l("Choose a city from the list.")
        raise ValidationFailed(message, errors=[field_error("city", message)])
    return city.id


def _status_columns(user: User) -> tuple[Any, Any]:
    joined = (
        exists()
        .where(Participant.event_id == Event.id, Participant.user_id == user.id)
        .correlate(Event)
        .label("joined")
    )
    request_status = (
        select(EventRequest.status)
        .where(EventRequest.event_id == Event.id, EventRequest.user_id == user.id)
        .correlate(Event)
        .scalar_subquery()
        .label("request_status")
    )
    return joined, request_status


def _status(joined: Any, request_status: Any) -> str:
    if joined:
        return "joined"
    if request_status is None:
        return "none"
    return str(getattr(request_status, "value", request_status))


def list_events(
    user: User,
    *,
    when: str = "upcoming",
    search: str | None = None,
    skip: int = 0,
    limit: int = 20,
    now: datetime | None = None,
) -> Page[EventView]:
    """Events with the caller's `joined`, in one query: upcoming soonest first, past and
    all latest first."""
    now = now or utcnow()
    query = select(Event, *_status_columns(user))
    if when == "upcoming":
        query = query.where(Event.starts_at > now)
        order: list[OrderKey] = [Event.starts_at, Event.id]
    else:
        if when == "past":
            query = query.where(Event.starts_at <= now)
        order = [Event.starts_at.desc(), Event.id.desc()]
    if search and search.strip():
        term = search.strip()
        query = query.where(
            or_(
                Event.title.icontains(term, autoescape=True),
                Event.description.icontains(term, autoescape=True),
                Event.location.icontains(term, autoescape=True),
            )
        )
    return paginate(query, order, skip=skip, limit=limit, shape=_event_views)


def _event_views(result: Result[Any]) -> list[EventView]:
    return [EventView(event, _status(joined, status)) for event, joined, status in result]


def get_event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        raise NotFound(_l("No such event."))
    return event


def view_event(user: User, event_id: int) -> EventView:
    row = db.session.execute(
        select(Event, *_status_columns(user)).where(Event.id == event_id)
    ).first()
    if row is None:
        raise NotFound(_l("No such event."))
    return EventView(row[0], _status(row[1], row[2]))


def is_joined(user: User, event: Event) -> bool:
    return bool(
        db.session.scalar(
            select(Participant.id).where(
                Participant.event_id == event.id, Participant.user_id == user.id
            )
        )
    )


def can_change(user: User, event: Event) -> bool:
    return event.creator_id == user.id or is_admin(user)


def _require_future(starts_at: datetime, now: datetime) -> None:
    if starts_at <= now:
        raise ValidationFailed(
            _l("The event must start in the future."),
            errors=[field_error("starts_at", _l("The event must start in the future."))],
        )


def _values(fields: dict[str, Any], event: Event | None = None) -> dict[str, Any]:
    """The columns a wire body sets: `sport` → `sport_key` (from the catalogue), `city` → a
    directory id, `fee` → kopecks; coordinates come in pairs (422 on the missing one)."""
    fields = dict(fields)
    if "sport" in fields:
        fields["sport_key"] = check_sport(fields.pop("sport"))
    if "city" in fields:
        fields["city_id"] = resolve_city(fields.pop("city"))
    if "fee" in fields:
        fee = fields["fee"]
        fields["fee"] = None if fee is None else int(fee["amount"])
    values = {name: fields[name] for name in EDITABLE if name in fields}
    latitude = values.get("latitude", event.latitude if event else None)
    longitude = values.get("longitude", event.longitude if event else None)
    if (latitude is None) != (longitude is None):
        missing = "longitude" if longitude is None else "latitude"
        message = _l("Give both the latitude and the longitude, or neither.")
        raise ValidationFailed(message, errors=[field_error(missing, message)])
    return values


def create_event(user: User, fields: dict[str, Any], *, now: datetime | None = None) -> EventView:
    values = _values(fields)
    _require_future(values["starts_at"], now or utcnow())
    event = Event(creator_id=user.id, participants_count=0, **values)
    db.session.add(event)
    db.session.flush()
    return EventView(event)


def update_event(
    user: User, event_id: int, changes: dict[str, Any], *, now: datetime | None = None
) -> EventView:
    """Change an event (creator or admin). The row is locked, so a concurrent join cannot
    slip in between the capacity check and the change."""
    event = db.session.scalars(
        select(Event)
        .where(Event.id == event_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if event is None:
        raise NotFound(_l("No such event."))
    if not can_change(user, event):
        raise Forbidden(_l("Only the creator or an admin may change this event."))
    values = _values(changes, event)
    if "starts_at" in values and values["starts_at"] != event.starts_at:
        _require_future(values["starts_at"], now or utcnow())
    capacity = values.get("capacity")
    if capacity is not None and capacity < event.participants_count:
        raise Conflict(
            lazy_ngettext(
                "%(num)d person has already joined; capacity cannot be lower.",
                "%(num)d people have already joined; capacity cannot be lower.",
                event.participants_count,
            ),
            errors=[field_error("capacity", _l("Lower than the number of participants."))],
        )
    for name, value in values.items():
        setattr(event, name, value)
    db.session.flush()
    return view_event(user, event.id)


def delete_event(user: User, event_id: int) -> None:
    event = get_event(event_id)
    if not can_change(user, event):
        raise Forbidden(_l("Only the creator or an admin may delete this event."))
    db.session.execute(Participant.__table__.delete().where(Participant.event_id == event.id))
    db.session.delete(event)
    db.session.flush()


def join_event(user: User, event_id: int, *, now: datetime | None = None) -> tuple[EventView, bool]:
    """Take a seat: (the event, True) when added, (the event, False) when already in."""
    now = now or utcnow()
    event = get_event(event_id)
    if is_joined(user, event):
        return EventView(_reload(event), "joined"), False
    taken = typing.cast(  # an UPDATE's result has a count
        "CursorResult[Any]",
        db.session.execute(
            update(Event)
            .where(
                Event.id == event.id,
                Event.starts_at > now,
                or_(Event.capacity.is_(None), Event.participants_count < Event.capacity),
            )
            .values(participants_count=Event.participants_count + 1)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    if not taken:
        event = _reload(event)
        if event.starts_at <= now:
            raise Conflict(_l("This event has already started."), reason="started")
        raise Conflict(_l("This event is full."), reason="full")
    inserted = db.session.execute(
        insert_ignoring_conflicts(
            Participant, db.session, event_id=event.id, user_id=user.id, joined_at=now
        ).returning(Participant.__table__.c.id)
    ).first()
    if inserted is None:  # the same user joined at the same moment elsewhere: give back
        _change_count(event.id, -1)
    return EventView(_reload(event), "joined"), inserted is not None


def leave_event(user: User, event_id: int, *, now: datetime | None = None) -> EventView:
    now = now or utcnow()
    event = get_event(event_id)
    if event.starts_at <= now:
        raise Conflict(_l("This event has already started."), reason="started")
    removed = db.session.execute(
        Participant.__table__.delete()
        .where(Participant.event_id == event.id, Participant.user_id == user.id)
        .returning(Participant.__table__.c.id)
    ).first()
    if removed is not None:
        _change_count(event.id, -1)
    return EventView(_reload(event))


def list_participants(event_id: int, *, skip: int = 0, limit: int = 20) -> Page[dict[str, Any]]:
    """Who joined, in the order they joined."""
    event = get_event(event_id)
    query = (
        select(Participant, User)
        .join(User, User.id == Participant.user_id)
        .where(Participant.event_id == event.id)
    )
    order = [Participant.joined_at, Participant.id]
    return paginate(query, order, skip=skip, limit=limit, shape=_participants)


def _participants(result: Result[Any]) -> list[dict[str, Any]]:
    return [
        {
            "user_id": user.id,
            "display_name": user.display_name,
            "username": user.username,
            "joined_at": participant.joined_at,
        }
        for participant, user in result
    ]


def _change_count(event_id: int, delta: int) -> None:
    db.session.execute(
        update(Event)
        .where(Event.id == event_id)
        .values(participants_count=Event.participants_count + delta)
        .execution_options(synchronize_session=False)
    )


def _reload(event: Event) -> Event:
    db.session.refresh(event)
    return event


# --- reminders -------------------------------------------------------------------------


def reminder_key(window: str) -> ColumnElement[str]:
    """A reminder's outbox dedupe key, `event-reminder:<event id>:<user id>:<window>`, as SQL
    over the reminder query's `Event` and `User`: the query skips the keys already queued and
    selects the same key for `queue_message`, so the key is built in this one place."""
    return (
        literal("event-reminder:")
        + cast(Event.id, String)
        + literal(":")
        + cast(User.id, String)
        + literal(f":{window}")
    )


def event_link(event_id: int) -> str:
    """The Mini App URL that opens this event (the shell routes `startapp=event_<id>`)."""
    base = current_app.config["WEBAPP_URL"].rstrip("/")
    return f"{base}/?startapp=event_{event_id}"


def queue_reminders(now: datetime | None = None) -> int:
    """Queue the due 24 h and 1 h reminders; return how many were new.

    Safe to run often and concurrently: pairs already queued are skipped in the query,
    and the outbox's unique dedupe key turns a concurrent duplicate into a no-op.
    """
    now = now or utcnow()
    queued = 0
    for window, lead in REMINDER_WINDOWS:
        key = reminder_key(window)
        query = (
            select(Event, User, Participant.joined_at, key)
            .join(Participant, Participant.event_id == Event.id)
            .join(User, User.id == Participant.user_id)
            .where(
                Event.starts_at > now,
                Event.starts_at <= now + lead,
                User.telegram_id.is_not(None),
                User.deleted_at.is_(None),
                ~exists().where(OutgoingMessage.dedupe_key == key),
            )
            .order_by(Event.id, User.id)
        )
        if window == "24h":
            query = query.where(Event.starts_at > now + timedelta(hours=1))
        for event, user, joined_at, dedupe_key in db.session.execute(query).all():
            if window == "24h" and joined_at > event.starts_at - lead:
                continue  # joined inside the last day: the 1 h reminder is enough
            if _queue_reminder(event, user, window, dedupe_key):
                queued += 1
    return queued


def _queue_reminder(event: Event, user: User, window: str, dedupe_key: str) -> bool:
    with force_locale(user_locale(user)):
        when = local_datetime(event.starts_at, user_zone(user))  # the user's local time
        if window == "24h":
            text = _(
                "Reminder: “%(title)s” is coming up on %(when)s.", title=event.title, when=when
            )
        else:
            text = _(
                "Reminder: “%(title)s” starts in an hour, %(when)s.", title=event.title, when=when
            )
        if event.location:
            text += "\n" + _("Where: %(location)s", location=event.location)
        button = _("Open the event")
    markup = {"inline_keyboard": [[{"text": button, "web_app": {"url": event_link(event.id)}}]]}
    return queue_message(
        chat_id=user.telegram_id,  # type: ignore[arg-type]
        text=text,
        reply_markup=markup,
        dedupe_key=dedupe_key,
    )
