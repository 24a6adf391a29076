"""Wire schemas of the training log. Weights are kilograms on the wire (up to three
decimals: whole grams), grams in the database."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext
from pydantic import AwareDatetime, Field, field_validator

from webapp.api import Id, Input, Pagination, Params, Schema

MAX_WEIGHT_KG = 1000
MAX_REPS = 1000
MAX_SETS = 100


class EntryIn(Input):
    """One logged exercise: `POST /api/training-log`."""

    exercise: str = Field(..., min_length=1, max_length=100, description="e.g. Bench press")
    weight_kg: float = Field(
        ..., ge=0, le=MAX_WEIGHT_KG, description="0 for bodyweight; up to three decimals"
    )
    reps: int = Field(..., ge=1, le=MAX_REPS)
    sets: int = Field(1, ge=1, le=MAX_SETS)
    done_at: AwareDatetime | None = Field(
        None, description="ISO 8601 with a UTC offset, not in the future; default: now"
    )

    @field_validator("exercise", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return " ".join(value.split()) if isinstance(value, str) else value

    @field_validator("weight_kg")
    @classmethod
    def _whole_grams(cls, value: float) -> float:
        if abs(value * 1000 - round(value * 1000)) > 1e-6:
            raise ValueError(gettext("Give the weight to the gram at most (three decimals)."))
        return value


class EntryOut(Schema):
    id: int
    exercise: str
    weight_kg: float
    reps: int
    sets: int
    done_at: datetime
    created_at: datetime


class EntryQuery(Pagination):
    exercise: str | None = Field(None, max_length=100, description="One exercise, any case")


class EntryPath(Params):
    entry_id: Id


class ProgressDayOut(Schema):
    date: date
    max_kg: float


class ExerciseProgressOut(Schema):
    exercise: str
    key: str
    best_kg: float
    last_kg: float
    entries: int
    days: list[ProgressDayOut] = Field(description="The heaviest weight of each training day")


class ProgressOut(Schema):
    """Progress of your exercises (at most 20, the most recently trained first), each with
    its last 30 training days, days of your time zone."""

    items: list[ExerciseProgressOut]
