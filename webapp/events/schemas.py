"""Wire schemas for events. Times need a UTC offset (a naive time is 422).

`city` is sent as a directory id (`GET /api/cities`) or a name the directory knows
("Тула", "спб") and answered as `{"id", "name"}`; `fee` is money as everywhere
(`{"amount": kopecks, "currency": "RUB"}`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field, field_validator, model_validator

from webapp.api import Id, Input, Money, Pagination, Params, Schema
from webapp.events.models import JoinMode, Kind, Level
from webapp.users.schemas import ProfileOut

MAX_CAPACITY = 100_000
MAX_OCCURRENCES = 60
MAX_FEE = 100_000_000  # a million roubles, in kopecks
Status = Literal["none", "pending", "joined", "waitlisted", "rejected"]


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class FeeIn(Input):
    """Money: integer kopecks; roubles only."""

    amount: int = Field(..., ge=0, le=MAX_FEE, description="Kopecks")
    currency: Literal["RUB"] = "RUB"


class RepeatIn(Input):
    """Repeat weekly on these ISO weekdays (1 = Monday … 7 = Sunday) until this moment."""

    weekdays: list[int] = Field(..., min_length=1, max_length=7)
    until: AwareDatetime

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        if any(day < 1 or day > 7 for day in value):
            raise ValueError("weekdays are 1 (Monday) to 7 (Sunday)")
        return sorted(set(value))


class _Fields(Input):
    kind: Kind = Kind.EVENT
    sport: str | None = Field(None, max_length=32, description="A key of GET /api/events/sports")
    level: Level = Level.ANY
    fee: FeeIn | None = Field(None, description="null: free")
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    city: Id | str | None = Field(
        None, description="A city directory id, or a name the directory knows"
    )
    join_mode: JoinMode = Field(
        JoinMode.OPEN, description="open: join at once; approval: the organiser decides"
    )

    @field_validator("city", mode="before")
    @classmethod
    def _city_text(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value


class EventIn(_Fields):
    """A new event, or the full replacement of one (PUT)."""

    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    starts_at: AwareDatetime = Field(
        ..., description="ISO 8601 with a UTC offset, in the future; a naive time is 422"
    )
    location: str = Field("", max_length=300)
    capacity: int | None = Field(None, ge=1, le=MAX_CAPACITY, description="null: unlimited")
    _strip = field_validator("title", "location", mode="before")(_strip)


class EventCreateIn(EventIn):
    """A new event, or a series of them (`repeat`)."""

    repeat: RepeatIn | None = Field(
        None,
        description="A weekly series: an occurrence on each of `weekdays` (ISO: 1 = Monday) "
        "at the local time of `starts_at` in your time zone, from `starts_at` until `until` "
        f"(at most {MAX_OCCURRENCES} occurrences). The answer is the first occurrence; each "
        "has `series_id`, and each can be changed or cancelled alone.",
    )


class EventPatch(_Fields):
    """A partial change (PATCH). `capacity: null` removes the limit."""

    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=5000)
    starts_at: AwareDatetime | None = None
    location: str | None = Field(None, max_length=300)
    capacity: int | None = Field(None, ge=1, le=MAX_CAPACITY)
    kind: Kind | None = None  # type: ignore[assignment]
    level: Level | None = None  # type: ignore[assignment]
    join_mode: JoinMode | None = None  # type: ignore[assignment]

    _strip = field_validator("title", "location", mode="before")(_strip)

    @field_validator("title", "description", "starts_at", "location", "kind", "level", "join_mode")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may not be null")
        return value


class EventCityOut(Schema):
    """A city of the directory (`id`: its GeoNames id), named in the reader's language."""

    id: int
    name: str


class EventOut(Schema):
    id: int
    title: str
    description: str
    starts_at: datetime
    kind: Kind
    sport: str | None = Field(description="The sport's key")
    sport_name: str | None = Field(description="The sport in the reader's language")
    level: Level
    fee: Money | None = Field(description="null: free")
    location: str
    latitude: float | None
    longitude: float | None
    map_url: str | None = Field(description="A map of the place, when it has coordinates")
    city: EventCityOut | None
    capacity: int | None
    participants_count: int
    spots_left: int | None
    join_mode: JoinMode
    status: Status = Field(
        description="The caller's place: none, pending, joined, waitlisted or rejected"
    )
    joined: bool = Field(description="Whether the caller takes part (status is joined)")
    series_id: int | None = Field(description="The series of a repeating training")
    cancelled: bool
    reminders: bool | None = Field(
        None, description="Whether you get reminders of it (null unless you take part)"
    )
    distance_km: float | None = Field(None, description="From `near`, when it was given")
    creator_id: int
    created_at: datetime
    updated_at: datetime


class SportOut(Schema):
    key: str
    name: str
    name_en: str
    name_ru: str


class SportList(BaseModel):
    """The catalogue, in its order."""

    items: list[SportOut]


def parse_moment(text: str) -> datetime | date:
    """`2031-05-10` → a date; `2031-05-10T06:00:00Z` → an aware time; else ValueError."""
    text = text.strip()
    if len(text) == 10:
        return date.fromisoformat(text)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("a time needs a UTC offset")
    return moment


class EventQuery(Pagination):
    """Filters of `GET /api/events`; they combine (AND)."""

    series_id: Id | None = Field(None, description="The occurrences of one series")
    when: Literal["upcoming", "past", "all"] = "upcoming"
    search: str | None = Field(None, max_length=200, description="In title, description, place")
    sport: str | None = Field(None, max_length=32, description="A sport's key")
    kind: Kind | None = None
    level: Level | None = None
    city: str | None = Field(
        None, max_length=64, description="A city directory id, or a name the directory knows"
    )
    date_from: str | None = Field(
        None,
        max_length=40,
        description="A date (`2031-05-10`: from the start of that day in your time zone) or "
        "a time with a UTC offset",
    )
    date_to: str | None = Field(
        None,
        max_length=40,
        description="A date (to the end of that day in your time zone) or a time with a UTC offset",
    )
    mine: Literal["created", "joined", "applied"] | None = Field(
        None,
        description="Only events you organise, take part in, or applied to (pending, "
        "waitlisted or declined)",
    )
    near: str | None = Field(
        None,
        pattern=r"^\s*-?\d{1,2}(\.\d+)?\s*,\s*-?\d{1,3}(\.\d+)?\s*$",
        description="`<latitude>,<longitude>`: only events with coordinates within "
        "`radius_km`, nearest first (each with `distance_km`)",
    )
    radius_km: float = Field(25, gt=0, le=1000, description="With `near`")

    @field_validator("near")
    @classmethod
    def _point(cls, value: str | None) -> str | None:
        if value is None:
            return None
        latitude, longitude = (float(part) for part in value.split(","))
        if not -90 <= latitude <= 90 or not -180 <= longitude <= 180:
            raise ValueError("latitude is -90 to 90 and longitude -180 to 180")
        return value

    @field_validator("date_from", "date_to")
    @classmethod
    def _moment(cls, value: str | None) -> str | None:
        if value is not None:
            parse_moment(value)
        return value

    @property
    def moments(self) -> tuple[datetime | date | None, datetime | date | None]:
        return (
            None if self.date_from is None else parse_moment(self.date_from),
            None if self.date_to is None else parse_moment(self.date_to),
        )

    @property
    def point(self) -> tuple[float, float] | None:
        if self.near is None:
            return None
        latitude, longitude = (float(part) for part in self.near.split(","))
        return latitude, longitude

    @property
    def city_value(self) -> int | str | None:
        if self.city is None or not self.city.strip():
            return None
        text = self.city.strip()
        return int(text) if text.isdigit() and len(text) < 10 else text


class EventPath(Params):
    event_id: Id


class ParticipantOut(Schema):
    user_id: int
    display_name: str
    username: str | None
    joined_at: datetime


class _OptionalBody(Input):
    @model_validator(mode="before")
    @classmethod
    def _no_body(cls, value: object) -> object:
        return {} if value is None else value


class EventJoinIn(_OptionalBody):
    """The body of a join is optional."""

    message: str = Field("", max_length=1000, description="To the organiser, with an application")
    series: bool = Field(
        False,
        description="Join every later occurrence of this event's series too (each by its own "
        "rules: a seat, the waitlist, or an application)",
    )


class ApplicationRejectIn(_OptionalBody):
    reason: str = Field("", max_length=500, description="Told to the applicant")


class ApplicationPath(Params):
    event_id: Id
    user_id: Id


class ApplicationQuery(Pagination):
    status: Literal["pending", "waitlisted", "rejected"] | None = None


class ApplicationOut(Schema):
    """An application (pending, rejected) or a place on the waitlist, with the applicant's
    community profile."""

    user_id: int
    display_name: str
    username: str | None
    status: Literal["pending", "waitlisted", "rejected"]
    message: str
    reason: str
    position: int | None = Field(description="The place on the waitlist (smaller first)")
    created_at: datetime
    profile: ProfileOut


class ApplicationDecisionOut(Schema):
    """Where the applicant is after the decision."""

    user_id: int
    status: Literal["joined", "waitlisted", "rejected"]


class RemindersIn(Input):
    enabled: bool


class RemindersOut(Schema):
    enabled: bool
