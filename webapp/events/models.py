"""The event and its participants.

`participants_count` is a counter kept by the join and leave statements themselves
(a guarded `UPDATE`), so capacity holds under concurrent joins and every answer has the
count without a second query. The CHECK constraints are the last line of defence.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.database import TimestampMixin, UTCDateTime, utcnow
from webapp.extensions import Model


class Event(TimestampMixin, Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
        CheckConstraint(
            "capacity IS NULL OR participants_count <= capacity", name="within_capacity"
        ),
        CheckConstraint("participants_count >= 0", name="count_not_negative"),
        Index("ix_events_starts_at", "starts_at", "id"),
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

    @property
    def spots_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(0, self.capacity - self.participants_count)

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
