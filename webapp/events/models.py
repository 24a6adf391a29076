"""Events, the sports catalogue, series of repeating trainings, participants and requests.

`participants_count` is a counter kept by the join and leave statements themselves, under
the event's row lock, so capacity holds under concurrent joins and approvals and every
answer has the count without a second query. The CHECK constraints are the last line of
defence.

A person's relation to an event is one of: a `Participant` row (joined), or an
`EventRequest` row — `pending` (an application waiting for the organiser), `waitlisted`
(approved or joined into a full event, queued by `position`) or `rejected`. (event, user)
is unique in each table, and the services move a person between them under the event's
row lock.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from webapp.database import TimestampMixin, UTCDateTime, utcnow, value_enum
from webapp.extensions import Model


class Kind(enum.StrEnum):
    EVENT = "event"
    TRAINING = "training"


class Level(enum.StrEnum):
    ANY = "any"
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class JoinMode(enum.StrEnum):
    OPEN = "open"
    APPROVAL = "approval"


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"


class Sport(TimestampMixin, Model):
    """One sport of the catalogue the admin keeps: a stable key and its names."""

    __tablename__ = "event_sports"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(64), nullable=False)
    name_ru: Mapped[str] = mapped_column(String(64), nullable=False)
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    def name(self, language: str) -> str:
        return self.name_ru if language == "ru" else self.name_en

    def __repr__(self) -> str:
        return f"<Sport {self.key}>"


class Series(Model):
    """Occurrences of a repeating training, created together: same weekdays, until a date."""

    __tablename__ = "event_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    creator_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    weekdays: Mapped[str] = mapped_column(String(20), nullable=False)
    until: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Event(TimestampMixin, Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
        CheckConstraint(
            "capacity IS NULL OR participants_count <= capacity", name="within_capacity"
        ),
        CheckConstraint("participants_count >= 0", name="count_not_negative"),
        CheckConstraint("fee IS NULL OR fee >= 0", name="fee_not_negative"),
        CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="coordinates_together"),
        CheckConstraint(
            "latitude IS NULL OR (latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180)",
            name="coordinates_range",
        ),
        Index("ix_events_starts_at", "starts_at", "id"),
        Index("ix_events_sport_starts_at", "sport_key", "starts_at", "id"),
        Index("ix_events_city_starts_at", "city_id", "starts_at", "id"),
        Index("ix_events_creator_starts_at", "creator_id", "starts_at", "id"),
        Index("ix_events_latitude", "latitude"),
        Index("ix_events_series_id", "series_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    location: Mapped[str] = mapped_column(String(300), default="", nullable=False)
    capacity: Mapped[int | None] = mapped_column(Integer)
    participants_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    creator_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[Kind] = mapped_column(
        value_enum(Kind, "event_kind", length=8),
        default=Kind.EVENT,
        server_default=Kind.EVENT.value,
        nullable=False,
    )
    sport_key: Mapped[str | None] = mapped_column(
        ForeignKey("event_sports.key", ondelete="RESTRICT", onupdate="CASCADE")
    )
    level: Mapped[Level] = mapped_column(
        value_enum(Level, "event_level", length=12),
        default=Level.ANY,
        server_default=Level.ANY.value,
        nullable=False,
    )
    fee: Mapped[int | None] = mapped_column(Integer)
    """In kopecks (RUB); None: free."""
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    city_id: Mapped[int | None] = mapped_column(Integer)
    """A GeoNames id of the city directory (`webapp.cities`)."""
    join_mode: Mapped[JoinMode] = mapped_column(
        value_enum(JoinMode, "event_join_mode", length=8),
        default=JoinMode.OPEN,
        server_default=JoinMode.OPEN.value,
        nullable=False,
    )
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_series.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(
        Integer, default=1, server_default=text("1"), nullable=False
    )
    """Raised by every change people are told about (time, place, cancellation)."""
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waitlist_seq: Mapped[int] = mapped_column(
        Integer, default=0, server_default=text("0"), nullable=False
    )
    """The last waitlist position handed out (under the row lock)."""

    @property
    def spots_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(0, self.capacity - self.participants_count)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.participants_count >= self.capacity

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.starts_at:%Y-%m-%d %H:%M}>"


class Participant(Model):
    __tablename__ = "event_participants"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    reminders: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true(), nullable=False
    )


class EventRequest(Model):
    """An application (`pending`, `rejected`) or a place on the waitlist (`waitlisted`)."""

    __tablename__ = "event_requests"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        Index("ix_event_requests_queue", "event_id", "status", "position", "id"),
        Index("ix_event_requests_user", "user_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    status: Mapped[RequestStatus] = mapped_column(
        value_enum(RequestStatus, "event_request_status", length=12), nullable=False
    )
    message: Mapped[str] = mapped_column(String(1000), default="", nullable=False)
    reason: Mapped[str] = mapped_column(String(500), default="", nullable=False)
    position: Mapped[int | None] = mapped_column(Integer)
    """The place on the waitlist (smaller first); None unless waitlisted."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
