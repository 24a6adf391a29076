"""Event rules (SPEC §5 events; issue 11: a sports community's events).

* Everyone signed in sees every event; only its creator (the organiser) or an admin changes
  or deletes it (403 otherwise). An event is created in the future (422 otherwise).
* An event has a kind, a sport from the catalogue (`webapp.events.sports`), a level, a fee
  in kopecks, a place (text, optional coordinates in pairs) and a directory city.
* A caller's `status` in an event: none, pending, joined, waitlisted or rejected.
* Joining an `open` event takes a seat (201), or a place at the end of the waitlist when
  it is full (201 `waitlisted`); again is 200. Joining an `approval` event is an application
  (202 `pending`; the organiser is told with Approve/Reject buttons); the organiser joins
  their own event at once. A declined applicant cannot apply again (409); the organiser
  may still approve them. A started or cancelled event refuses (409).
* Approving seats the applicant, or puts them at the end of the waitlist when the event is
  full; the applicant is told, with the organiser's contact when seated. Rejecting (with a
  reason) is told too. Deciding again changes nothing.
* Every change of who takes part holds the event's row lock: capacity, the count and the
  waitlist order are decided one at a time, under concurrency. When a seat frees (someone
  leaves, capacity rises), the first on the waitlist takes it and is told, once.
* Capacity cannot drop below the current count (409), checked under the event row lock.
* Leaving a started event is refused (409); leaving when not in is a no-op; leaving also
  withdraws an application or steps off the waitlist.
* Reminders: 24 h and 1 h before the start, one bot message per participant per window,
  made exactly once by the outbox's unique `dedupe_key` (two workers may run the job at
  once). The 24 h reminder goes only to people who had joined before the 24 h mark and
  only while the event is more than 1 h away; the 1 h reminder goes to everyone in,
  whenever they joined. Users without a Telegram chat get nothing. A reminder is keyed by
  (event, user, window): moving an event after its reminder went out sends no second one.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from flask_babel import force_locale, format_currency, lazy_ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, String, case, cast, exists, func, literal, or_, select
from sqlalchemy.engine import Result

from webapp.cities import find_city, get_city
from webapp.database import utcnow
from webapp.errors import Conflict, Forbidden, NotFound, ValidationFailed, field_error
from webapp.events import notify
from webapp.events.labels import JOIN_MODE_NAMES, KIND_NAMES, LEVEL_NAMES, STATUS_NAMES
from webapp.events.models import (
    Event,
    EventRequest,
    JoinMode,
    Kind,
    Level,
    Participant,
    RequestStatus,
    Series,
)
from webapp.events.notify import event_link as event_link  # calendars and reminders
from webapp.events.schemas import MAX_OCCURRENCES
from webapp.events.sports import check_sport, language, sport_name
from webapp.extensions import db
from webapp.i18n import local_datetime, user_locale, user_zone
from webapp.outbox import OutgoingMessage, queue_message
from webapp.pagination import OrderKey, Page, paginate
from webapp.users.models import User
from webapp.users.roles import is_admin, require_admin
from webapp.users.schemas import profile_out
from webapp.users.services import profile_of

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
NOTIFIED_FIELDS = ("starts_at", "location", "latitude", "longitude")
"""A change of these (time or place) is told to everyone in or applying."""
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
    reminders: bool | None = None
    """Whether the caller gets reminders (None: not in)."""

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
    """The caller's seat (its `reminders` flag: null when not in) and request status."""
    joined = (
        select(Participant.reminders)
        .where(Participant.event_id == Event.id, Participant.user_id == user.id)
        .correlate(Event)
        .scalar_subquery()
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
    if joined is not None:
        return "joined"
    if request_status is None:
        return "none"
    return str(getattr(request_status, "value", request_status))


KM_PER_DEGREE = 111.32
EARTH_RADIUS_KM = 6371.0
MAX_RADIUS_KM = 1000


@dataclass(frozen=True)
class EventFilters:
    """What `GET /api/events` and the page filter by (None: no filter)."""

    when: str = "upcoming"
    search: str | None = None
    sport: str | None = None
    kind: str | None = None
    level: str | None = None
    city: int | str | None = None
    date_from: datetime | date | None = None
    date_to: datetime | date | None = None
    mine: str | None = None
    near: tuple[float, float] | None = None
    radius_km: float = 25.0
    series_id: int | None = None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _day_bound(value: datetime | date, user: User, end: bool) -> datetime:
    """A date is the caller's local day (from its start, to the end of it); a time is
    itself."""
    if isinstance(value, datetime):
        return value
    day = value + timedelta(days=1) if end else value
    local = datetime(day.year, day.month, day.day, tzinfo=user_zone(user))
    return local.astimezone(UTC)


def list_events(
    user: User,
    *,
    when: str = "upcoming",
    search: str | None = None,
    filters: EventFilters | None = None,
    skip: int = 0,
    limit: int = 20,
    now: datetime | None = None,
) -> Page[EventView]:
    """Events with the caller's `status`, in one query: upcoming soonest first, past and
    all latest first — or nearest first when `near` is given (within `radius_km`).

    Distance is measured in SQL on a flat projection around the point (exact enough within
    a city or a region, and the same arithmetic on SQLite and PostgreSQL), inside a
    latitude/longitude box the `latitude` index finds; the answer carries the haversine
    distance of each event."""
    now = now or utcnow()
    filters = filters or EventFilters(when=when, search=search)
    query = select(Event, *_status_columns(user))
    order: list[OrderKey]
    if filters.when == "upcoming":
        query = query.where(Event.starts_at > now)
        order = [Event.starts_at, Event.id]
    else:
        if filters.when == "past":
            query = query.where(Event.starts_at <= now)
        order = [Event.starts_at.desc(), Event.id.desc()]
    query = _filtered(query, user, filters)
    near = filters.near
    if near is not None:
        query, distance = _near(query, near, filters.radius_km)
        order = [distance, Event.id]
    page = paginate(query, order, skip=skip, limit=limit, shape=_event_views)
    if near is None:
        return page
    items = [
        replace(
            view,
            distance_km=round(
                distance_km(near[0], near[1], view.event.latitude, view.event.longitude), 2
            ),
        )
        for view in page.items
    ]
    return replace(page, items=items)


def _filtered(query: Any, user: User, filters: EventFilters) -> Any:
    if filters.search and filters.search.strip():
        term = filters.search.strip()
        query = query.where(
            or_(
                Event.title.icontains(term, autoescape=True),
                Event.description.icontains(term, autoescape=True),
                Event.location.icontains(term, autoescape=True),
            )
        )
    if filters.series_id is not None:
        query = query.where(Event.series_id == filters.series_id)
    if filters.sport:
        query = query.where(Event.sport_key == filters.sport)
    if filters.kind:
        query = query.where(Event.kind == Kind(filters.kind))
    if filters.level:
        query = query.where(Event.level == Level(filters.level))
    if filters.city is not None:
        query = query.where(Event.city_id == resolve_city(filters.city))
    if filters.date_from is not None:
        query = query.where(Event.starts_at >= _day_bound(filters.date_from, user, end=False))
    if filters.date_to is not None:
        bound = _day_bound(filters.date_to, user, end=True)
        inclusive = isinstance(filters.date_to, datetime)
        query = query.where(Event.starts_at <= bound if inclusive else Event.starts_at < bound)
    if filters.mine == "created":
        query = query.where(Event.creator_id == user.id)
    elif filters.mine == "joined":
        query = query.where(
            Event.id.in_(select(Participant.event_id).where(Participant.user_id == user.id))
        )
    elif filters.mine == "applied":
        query = query.where(
            Event.id.in_(select(EventRequest.event_id).where(EventRequest.user_id == user.id))
        )
    return query


def _near(query: Any, near: tuple[float, float], radius_km: float) -> tuple[Any, Any]:
    """`query` narrowed to `radius_km` around `near`, and the squared distance in degrees
    of latitude (the order)."""
    lat0, lon0 = near
    scale = max(math.cos(math.radians(lat0)), 0.01)  # a degree of longitude, in latitude's
    span = radius_km / KM_PER_DEGREE
    dlat = Event.latitude - lat0
    dlon = (Event.longitude - lon0) * scale
    squared = dlat * dlat + dlon * dlon
    query = query.where(
        Event.latitude.between(lat0 - span, lat0 + span),
        Event.longitude.between(lon0 - span / scale, lon0 + span / scale),
        squared <= span * span,
    )
    return query, squared


def _event_views(result: Result[Any]) -> list[EventView]:
    return [
        EventView(event, _status(joined, status), reminders=joined)
        for event, joined, status in result
    ]


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
    return EventView(row[0], _status(row[1], row[2]), reminders=row[1])


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
    """Create an event, or with `repeat` a weekly series (the first occurrence is
    answered)."""
    values = _values(fields)
    _require_future(values["starts_at"], now or utcnow())
    repeat = fields.get("repeat")
    if not repeat:
        event = Event(creator_id=user.id, participants_count=0, **values)
        db.session.add(event)
        db.session.flush()
        return EventView(event)
    moments = occurrences(values["starts_at"], repeat["weekdays"], repeat["until"], user_zone(user))
    series = Series(
        creator_id=user.id,
        weekdays=",".join(str(day) for day in repeat["weekdays"]),
        until=repeat["until"],
    )
    db.session.add(series)
    db.session.flush()
    events = [
        Event(
            creator_id=user.id,
            participants_count=0,
            series_id=series.id,
            **{**values, "starts_at": moment},
        )
        for moment in moments
    ]
    db.session.add_all(events)
    db.session.flush()
    return EventView(events[0])


def occurrences(
    starts_at: datetime, weekdays: list[int], until: datetime, zone: tzinfo
) -> list[datetime]:
    """The moments of a weekly series: each listed ISO weekday from the day of `starts_at`
    up to `until`, at the local time of `starts_at` in `zone` (so 19:00 stays 19:00 across
    a change of daylight saving time). 422 when none or too many fall in the range."""
    local = starts_at.astimezone(zone)
    last = until.astimezone(zone).date()
    found: list[datetime] = []
    day = local.date()
    while day <= last and len(found) <= MAX_OCCURRENCES:
        if day.isoweekday() in weekdays:
            moment = datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=zone)
            moment = moment.astimezone(UTC)
            if starts_at <= moment <= until:
                found.append(moment)
        day += timedelta(days=1)
    if not found:
        message = _l("No occurrence falls between the start and “until”.")
        raise ValidationFailed(message, errors=[field_error("repeat.until", message)])
    if len(found) > MAX_OCCURRENCES:
        message = _l("A series has at most %(num)d occurrences.", num=MAX_OCCURRENCES)
        raise ValidationFailed(message, errors=[field_error("repeat.until", message)])
    return found


def update_event(
    user: User, event_id: int, changes: dict[str, Any], *, now: datetime | None = None
) -> EventView:
    """Change an event (creator or admin). The row is locked, so a concurrent join cannot
    slip in between the capacity check and the change."""
    event = _lock(event_id)
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
    moved = any(name in values and values[name] != getattr(event, name) for name in NOTIFIED_FIELDS)
    for name, value in values.items():
        setattr(event, name, value)
    if moved and event.cancelled_at is None:
        event.version += 1
    db.session.flush()
    if moved and event.cancelled_at is None:
        _tell_everyone(event, "moved")
    if "capacity" in values:
        _promote(event, now or utcnow())  # more places: the waitlist moves up
    return view_event(user, event.id)


def delete_event(user: User, event_id: int, *, now: datetime | None = None) -> None:
    """Delete (creator or admin); everyone in or applying to an event still to come is told
    it is cancelled."""
    event = _lock(event_id)
    if not can_change(user, event):
        raise Forbidden(_l("Only the creator or an admin may delete this event."))
    if event.cancelled_at is None and event.starts_at > (now or utcnow()):
        event.version += 1
        _tell_everyone(event, "cancelled")
    db.session.execute(Participant.__table__.delete().where(Participant.event_id == event.id))
    db.session.delete(event)
    db.session.flush()


def cancel_event(user: User, event_id: int, *, now: datetime | None = None) -> EventView:
    """Cancel one event or one occurrence of a series (creator or admin): it stays listed
    as cancelled, refuses joins, sends no reminders, and everyone in or applying is told
    once. Cancelling again changes nothing; a started event cannot be cancelled (409)."""
    now = now or utcnow()
    event = _lock(event_id)
    if not can_change(user, event):
        raise Forbidden(_l("Only the creator or an admin may change this event."))
    if event.cancelled_at is None:
        if event.starts_at <= now:
            raise Conflict(_l("This event has already started."), reason="started")
        event.cancelled_at = now
        event.version += 1
        db.session.flush()
        _tell_everyone(event, "cancelled")
    return view_event(user, event.id)


def _tell_everyone(event: Event, what: str) -> int:
    """Message every participant and applicant (pending or waitlisted) of `event` about a
    change ("moved") or a cancellation, once per change (`event.version` is in the key)."""
    people = db.session.scalars(
        select(User)
        .where(
            or_(
                User.id.in_(select(Participant.user_id).where(Participant.event_id == event.id)),
                User.id.in_(
                    select(EventRequest.user_id).where(
                        EventRequest.event_id == event.id,
                        EventRequest.status != RequestStatus.REJECTED,
                    )
                ),
            )
        )
        .order_by(User.id)
    ).all()
    return sum(notify.changed(event, person, what) for person in people)


def set_reminders(user: User, event_id: int, enabled: bool) -> bool:
    """Turn this participant's reminders of one event on or off; 409 when not in."""
    event = get_event(event_id)
    participant = _participant_of(event.id, user.id)
    if participant is None:
        raise Conflict(_l("You do not take part in this event."), reason="not_joined")
    participant.reminders = enabled
    db.session.flush()
    return enabled


# --- seats: joining, applications, the waitlist ----------------------------------------
#
# Every change of who takes part holds the event's row lock (`_lock`), so the count, the
# capacity check, the waitlist order and the promotion of the first waiting person are
# decided one at a time, on PostgreSQL and SQLite alike.


class Outcome(enum.StrEnum):
    """What a join asked for came to (the API answers 201, 200, 202, 201)."""

    JOINED = "joined"
    ALREADY = "already"
    PENDING = "pending"
    WAITLISTED = "waitlisted"


def _lock(event_id: int) -> Event:
    event = db.session.scalars(
        select(Event)
        .where(Event.id == event_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if event is None:
        raise NotFound(_l("No such event."))
    return event


def _request_of(event_id: int, user_id: int) -> EventRequest | None:
    return db.session.scalars(
        select(EventRequest)
        .where(EventRequest.event_id == event_id, EventRequest.user_id == user_id)
        .execution_options(populate_existing=True)
    ).first()


def _participant_of(event_id: int, user_id: int) -> Participant | None:
    return db.session.scalars(
        select(Participant).where(Participant.event_id == event_id, Participant.user_id == user_id)
    ).first()


def _require_open(event: Event, now: datetime) -> None:
    if event.cancelled_at is not None:
        raise Conflict(_l("This event is cancelled."), reason="cancelled")
    if event.starts_at <= now:
        raise Conflict(_l("This event has already started."), reason="started")


def _seat(event: Event, user_id: int, now: datetime) -> Participant:
    """Give `user_id` a seat of the locked `event` (there is one) and drop their request."""
    participant = Participant(event_id=event.id, user_id=user_id, joined_at=now)
    db.session.add(participant)
    db.session.execute(
        EventRequest.__table__.delete().where(
            EventRequest.event_id == event.id, EventRequest.user_id == user_id
        )
    )
    event.participants_count += 1
    db.session.flush()
    return participant


def _waitlist(event: Event, user_id: int, request: EventRequest | None, now: datetime) -> int:
    """Put `user_id` at the end of the locked `event`'s waitlist; their position."""
    event.waitlist_seq += 1
    if request is None:
        request = EventRequest(event_id=event.id, user_id=user_id, message="", created_at=now)
        db.session.add(request)
    request.status = RequestStatus.WAITLISTED
    request.position = event.waitlist_seq
    request.decided_at = request.decided_at or now
    db.session.flush()
    return event.waitlist_seq


def _seat_or_waitlist(
    event: Event, user_id: int, request: EventRequest | None, now: datetime
) -> Outcome:
    if event.is_full:
        _waitlist(event, user_id, request, now)
        return Outcome.WAITLISTED
    _seat(event, user_id, now)
    return Outcome.JOINED


def join_event(
    user: User,
    event_id: int,
    *,
    message: str = "",
    series: bool = False,
    now: datetime | None = None,
) -> tuple[EventView, Outcome]:
    """Join an open event (a seat, or the waitlist when it is full) or apply to an approval
    event (pending until the organiser decides; the organiser is told). Asking again
    changes nothing; a declined applicant cannot apply again (409).

    With `series`, every later occurrence of the event's series that has not started and
    is not cancelled is joined too, each by its own rules (declined ones are skipped); the
    answer is this occurrence's."""
    now = now or utcnow()
    event = get_event(event_id)
    ids = [event.id]
    if series and event.series_id is not None:
        ids = list(
            db.session.scalars(
                select(Event.id).where(
                    Event.series_id == event.series_id,
                    or_(
                        Event.id == event.id,
                        (Event.starts_at > max(now, event.starts_at))
                        & Event.cancelled_at.is_(None),
                    ),
                )
            )
        )
    outcome = Outcome.ALREADY
    for other_id in sorted(ids):  # row locks in id order: two series joins never deadlock
        other = _lock(other_id)
        if other_id == event.id:
            _require_open(other, now)
            outcome = _join_locked(user, other, message, now)
            continue
        try:
            _join_locked(user, other, message, now)
        except Conflict:
            continue  # declined for that occurrence: the others still count
    return view_event(user, event.id), outcome


def _join_locked(user: User, event: Event, message: str, now: datetime) -> Outcome:
    if _participant_of(event.id, user.id) is not None:
        return Outcome.ALREADY
    request = _request_of(event.id, user.id)
    if request is not None:
        if request.status == RequestStatus.REJECTED:
            raise Conflict(_l("Your application was declined."), reason="rejected")
        return Outcome.ALREADY
    if event.join_mode == JoinMode.APPROVAL and user.id != event.creator_id:
        request = EventRequest(
            event_id=event.id,
            user_id=user.id,
            status=RequestStatus.PENDING,
            message=message.strip(),
            created_at=now,
        )
        db.session.add(request)
        db.session.flush()
        organiser = db.session.get(User, event.creator_id)
        if organiser is not None:
            notify.application_to_organiser(event, organiser, user, request)
        return Outcome.PENDING
    return _seat_or_waitlist(event, user.id, None, now)


def leave_event(user: User, event_id: int, *, now: datetime | None = None) -> EventView:
    """Leave, withdraw an application or step off the waitlist (a no-op when none); a seat
    that frees goes to the first on the waitlist. 409 once the event has started."""
    now = now or utcnow()
    event = _lock(event_id)
    if event.starts_at <= now:
        raise Conflict(_l("This event has already started."), reason="started")
    _leave_locked(user, event, now)
    return view_event(user, event.id)


def _leave_locked(user: User, event: Event, now: datetime) -> None:
    participant = _participant_of(event.id, user.id)
    if participant is not None:
        db.session.delete(participant)
        event.participants_count -= 1
        db.session.flush()
        _promote(event, now)
        return
    db.session.execute(
        EventRequest.__table__.delete().where(
            EventRequest.event_id == event.id,
            EventRequest.user_id == user.id,
            EventRequest.status != RequestStatus.REJECTED,
        )
    )
    db.session.flush()


def _promote(event: Event, now: datetime) -> int:
    """Seat the first on the waitlist while the locked `event` has room; each is told once.
    How many took a seat."""
    if event.cancelled_at is not None or event.starts_at <= now:
        return 0
    seated = 0
    organiser = db.session.get(User, event.creator_id)
    while not event.is_full:
        request = db.session.scalars(
            select(EventRequest)
            .where(
                EventRequest.event_id == event.id,
                EventRequest.status == RequestStatus.WAITLISTED,
            )
            .order_by(EventRequest.position, EventRequest.id)
            .limit(1)
        ).first()
        if request is None:
            break
        user_id = request.user_id
        participant = _seat(event, user_id, now)
        user = db.session.get(User, user_id)
        if user is not None and organiser is not None:
            notify.seat_taken(event, organiser, user, participant.id)
        seated += 1
    return seated


def add_participant(
    actor: User, event_id: int, user_id: int, *, now: datetime | None = None
) -> Outcome:
    """Seat someone (admins, from the dashboard): a seat, or the waitlist when the event is
    full — the capacity rule of every join. Already in: no change."""
    require_admin(actor)
    now = now or utcnow()
    event = _lock(event_id)
    _require_open(event, now)
    if db.session.get(User, user_id) is None:
        raise NotFound(_l("No such user."))
    if _participant_of(event.id, user_id) is not None:
        return Outcome.ALREADY
    return _seat_or_waitlist(event, user_id, _request_of(event.id, user_id), now)


def remove_participant(
    actor: User, event_id: int, user_id: int, *, now: datetime | None = None
) -> bool:
    """Take someone's seat away (the organiser or an admin); the first on the waitlist
    takes it. Whether they were in."""
    now = now or utcnow()
    event = _lock(event_id)
    if not can_change(actor, event):
        raise Forbidden(_l("Only the creator or an admin may change this event."))
    participant = _participant_of(event.id, user_id)
    if participant is None:
        return False
    db.session.delete(participant)
    event.participants_count -= 1
    db.session.flush()
    _promote(event, now)
    return True


def person_status(event_id: int, user_id: int) -> str:
    """none, pending, joined, waitlisted or rejected (the audit log records it)."""
    if _participant_of(event_id, user_id) is not None:
        return "joined"
    request = _request_of(event_id, user_id)
    return "none" if request is None else request.status.value


def _organised_event(actor: User, event_id: int) -> Event:
    event = _lock(event_id)
    if not can_change(actor, event):
        raise Forbidden(_l("Only the organiser or an admin may decide on applications."))
    return event


def approve_application(
    actor: User, event_id: int, user_id: int, *, now: datetime | None = None
) -> tuple[str, Outcome]:
    """Approve a pending application (organiser or admin): a seat, or the waitlist when the
    event is full — checked under the row lock, as an open join is. The applicant is told,
    with the organiser's contact. Approving again changes nothing: (status, outcome)."""
    now = now or utcnow()
    event = _organised_event(actor, event_id)
    if _participant_of(event.id, user_id) is not None:
        return "joined", Outcome.ALREADY
    request = _request_of(event.id, user_id)
    if request is None:
        raise NotFound(_l("No such application."))
    if request.status == RequestStatus.WAITLISTED:
        return "waitlisted", Outcome.ALREADY
    _require_open(event, now)
    request_id = request.id
    outcome = _seat_or_waitlist(event, user_id, request, now)
    applicant = db.session.get(User, user_id)
    organiser = db.session.get(User, event.creator_id)
    if applicant is not None and organiser is not None:
        if outcome == Outcome.JOINED:
            notify.approved(event, organiser, applicant, request_id)
        else:
            notify.approved_onto_waitlist(event, applicant, request_id, event.waitlist_seq)
    return str(outcome), outcome


def reject_application(
    actor: User, event_id: int, user_id: int, reason: str = "", *, now: datetime | None = None
) -> tuple[str, Outcome]:
    """Decline a pending application or take someone off the waitlist (organiser or admin);
    the applicant is told, with the reason. Rejecting again changes nothing. A participant
    is not an application (409: they leave, or the admin removes them)."""
    now = now or utcnow()
    event = _organised_event(actor, event_id)
    if _participant_of(event.id, user_id) is not None:
        raise Conflict(_l("This person already takes part."), reason="joined")
    request = _request_of(event.id, user_id)
    if request is None:
        raise NotFound(_l("No such application."))
    if request.status == RequestStatus.REJECTED:
        return "rejected", Outcome.ALREADY
    request.status = RequestStatus.REJECTED
    request.reason = reason.strip()
    request.position = None
    request.decided_at = now
    db.session.flush()
    applicant = db.session.get(User, user_id)
    if applicant is not None:
        notify.rejected(event, applicant, request.id, request.reason)
    return "rejected", Outcome.JOINED


@dataclass(frozen=True)
class Application:
    """One request as the organiser sees it, with the applicant's community profile."""

    user_id: int
    display_name: str
    username: str | None
    status: str
    message: str
    reason: str
    position: int | None
    created_at: datetime
    profile: Any

    @property
    def status_name(self) -> str:
        return str(STATUS_NAMES.get(self.status, self.status))


def waitlist_place(user: User, event_id: int) -> int | None:
    """The caller's number on the waitlist (1: next to take a place), or None."""
    mine = _request_of(event_id, user.id)
    if mine is None or mine.status != RequestStatus.WAITLISTED or mine.position is None:
        return None
    ahead = db.session.scalar(
        select(func.count())
        .select_from(EventRequest)
        .where(
            EventRequest.event_id == event_id,
            EventRequest.status == RequestStatus.WAITLISTED,
            EventRequest.position < mine.position,
        )
    )
    return (ahead or 0) + 1


def organiser_contact(event: Event) -> str | None:
    """A link to write to the organiser (shown to participants)."""
    organiser = db.session.get(User, event.creator_id)
    return None if organiser is None else notify.contact_url(organiser)


def list_applications(
    actor: User,
    event_id: int,
    *,
    status: str | None = None,
    skip: int = 0,
    limit: int = 20,
) -> Page[Application]:
    """The event's applications and waitlist (organiser or admin): pending first in the
    order they came, then the waitlist in its order, then the declined."""
    event = get_event(event_id)
    if not can_change(actor, event):
        raise Forbidden(_l("Only the organiser or an admin may see the applications."))
    rank = case(
        (EventRequest.status == RequestStatus.PENDING, 0),
        (EventRequest.status == RequestStatus.WAITLISTED, 1),
        else_=2,
    )
    query = (
        select(EventRequest, User)
        .join(User, User.id == EventRequest.user_id)
        .where(EventRequest.event_id == event.id)
    )
    if status is not None:
        query = query.where(EventRequest.status == RequestStatus(status))
    order: list[OrderKey] = [rank, EventRequest.position, EventRequest.id]
    return paginate(query, order, skip=skip, limit=limit, shape=_applications)


def _applications(result: Result[Any]) -> list[Application]:
    return [
        Application(
            user_id=user.id,
            display_name=user.display_name,
            username=user.username,
            status=request.status.value,
            message=request.message,
            reason=request.reason,
            position=request.position,
            created_at=request.created_at,
            profile=profile_out(profile_of(user)),
        )
        for request, user in result
    ]


class ChatAnswer(enum.StrEnum):
    APPROVED = "approved"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    ALREADY = "already"
    GONE = "gone"
    REFUSED = "refused"


def decide_from_chat(telegram_id: int, action: str, event_id: int, user_id: int) -> ChatAnswer:
    """Approve or Reject pressed under an application in the organiser's chat. The rules are
    the API's; a second press (or a decision already made in the app) changes nothing."""
    actor = db.session.scalars(
        select(User).where(User.telegram_id == telegram_id, User.deleted_at.is_(None))
    ).first()
    if actor is None or action not in ("approve", "reject"):
        return ChatAnswer.GONE
    try:
        if action == "approve":
            _status_text, outcome = approve_application(actor, event_id, user_id)
        else:
            _status_text, outcome = reject_application(actor, event_id, user_id)
    except Forbidden:
        return ChatAnswer.REFUSED
    except NotFound:
        return ChatAnswer.GONE
    except Conflict:
        return ChatAnswer.ALREADY
    if outcome == Outcome.ALREADY:
        return ChatAnswer.ALREADY
    if action == "reject":
        return ChatAnswer.REJECTED
    return ChatAnswer.WAITLISTED if outcome == Outcome.WAITLISTED else ChatAnswer.APPROVED


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
                Event.cancelled_at.is_(None),
                Participant.reminders.is_(True),
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
