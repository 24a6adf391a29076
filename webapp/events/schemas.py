"""Wire schemas for events. Times need a UTC offset (a naive time is 422)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, Field, field_validator

from webapp.api import Id, Input, Pagination, Params, Schema

MAX_CAPACITY = 100_000


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class EventIn(Input):
    """A new event, or the full replacement of one (PUT)."""

    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    starts_at: AwareDatetime = Field(
        ..., description="ISO 8601 with a UTC offset, in the future; a naive time is 422"
    )
    location: str = Field("", max_length=300)
    capacity: int | None = Field(None, ge=1, le=MAX_CAPACITY, description="null: unlimited")

    _strip = field_validator("title", "location", mode="before")(_strip)


class EventPatch(Input):
    """A partial change (PATCH). `capacity: null` removes the limit."""

    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=5000)
    starts_at: AwareDatetime | None = None
    location: str | None = Field(None, max_length=300)
    capacity: int | None = Field(None, ge=1, le=MAX_CAPACITY)

    _strip = field_validator("title", "location", mode="before")(_strip)

    @field_validator("title", "description", "starts_at", "location")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may not be null")
        return value


class EventOut(Schema):
    id: int
    title: str
    description: str
    starts_at: datetime
    location: str
    capacity: int | None
    participants_count: int
    spots_left: int | None
    joined: bool = Field(description="Whether the caller takes part")
    creator_id: int
    created_at: datetime
    updated_at: datetime


class EventQuery(Pagination):
    when: Literal["upcoming", "past", "all"] = "upcoming"
    search: str | None = Field(None, max_length=200)


class EventPath(Params):
    event_id: Id


class ParticipantOut(Schema):
    user_id: int
    display_name: str
    username: str | None
    joined_at: datetime
