"""Training log rules (issue 11).

* Each person sees and changes only their own entries; someone else's entry is a 404.
* An entry names an exercise (grouped regardless of case and spacing), a weight of 0 to
  1000 kg in whole grams, reps and sets; it is done now or in the past — more than
  `FUTURE_SLACK` ahead is a 422 on `done_at`.
* Progress per exercise: the heaviest weight of each day, the best ever and the last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from webapp.database import utcnow
from webapp.errors import NotFound, ValidationFailed, field_error
from webapp.extensions import db
from webapp.pagination import OrderKey, Page, paginate
from webapp.training.models import TrainingEntry
from webapp.users.models import User

FUTURE_SLACK = timedelta(minutes=5)  # a phone's clock may run a little ahead
CHART_DAYS = 30  # the chart shows an exercise's last 30 training days
PROGRESS_EXERCISES = 20


def exercise_key(name: str) -> str:
    """The name an exercise is grouped by: "Bench  PRESS" and "bench press" are one."""
    return " ".join(name.split()).casefold()


def add_entry(user: User, fields: dict[str, Any], *, now: datetime | None = None) -> TrainingEntry:
    """Log an exercise; `done_at` defaults to now and may not be in the future."""
    now = now or utcnow()
    done_at = fields.get("done_at") or now
    if done_at > now + FUTURE_SLACK:
        message = _l("A training cannot be logged in the future.")
        raise ValidationFailed(message, errors=[field_error("done_at", message)])
    entry = TrainingEntry(
        user_id=user.id,
        exercise=fields["exercise"],
        exercise_key=exercise_key(fields["exercise"]),
        weight_g=round(fields["weight_kg"] * 1000),
        reps=fields["reps"],
        sets=fields.get("sets") or 1,
        done_at=done_at,
        created_at=now,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def list_entries(
    user: User, *, exercise: str | None = None, skip: int = 0, limit: int = 20
) -> Page[TrainingEntry]:
    """Your entries, latest first; `exercise` narrows to one (any case and spacing)."""
    query = select(TrainingEntry).where(TrainingEntry.user_id == user.id)
    if exercise and exercise.strip():
        query = query.where(TrainingEntry.exercise_key == exercise_key(exercise))
    order: list[OrderKey] = [TrainingEntry.done_at.desc(), TrainingEntry.id.desc()]
    return paginate(query, order, skip=skip, limit=limit)


def get_entry(user: User, entry_id: int) -> TrainingEntry:
    """Your entry, or NotFound (someone else's is not found either)."""
    entry = db.session.get(TrainingEntry, entry_id)
    if entry is None or entry.user_id != user.id:
        raise NotFound(_l("No such training entry."))
    return entry


def delete_entry(user: User, entry_id: int) -> None:
    """Delete your entry; someone else's is a 404 and stays."""
    entry = get_entry(user, entry_id)
    db.session.execute(delete(TrainingEntry).where(TrainingEntry.id == entry.id))


@dataclass(frozen=True)
class ExerciseProgress:
    """One exercise's progress: the heaviest weight (kg) of each of its last training days,
    oldest first, the best ever and the last logged."""

    key: str
    name: str
    days: list[tuple[date, float]]
    best_kg: float
    last_kg: float
    entries: int


def progress(user: User, zone: tzinfo | None = None) -> list[ExerciseProgress]:
    """Progress of your exercises, the most recently trained first. A day is a day of the
    user's time zone (`zone`, UTC by default)."""
    zone = zone or UTC
    summary = db.session.execute(
        select(
            TrainingEntry.exercise_key,
            func.max(TrainingEntry.weight_g),
            func.count(),
            func.max(TrainingEntry.done_at),
        )
        .where(TrainingEntry.user_id == user.id)
        .group_by(TrainingEntry.exercise_key)
        .order_by(func.max(TrainingEntry.done_at).desc(), TrainingEntry.exercise_key)
        .limit(PROGRESS_EXERCISES)
    ).all()
    found = []
    for key, best_g, count, _last_at in summary:
        rows = db.session.execute(
            select(TrainingEntry.exercise, TrainingEntry.weight_g, TrainingEntry.done_at)
            .where(TrainingEntry.user_id == user.id, TrainingEntry.exercise_key == key)
            .order_by(TrainingEntry.done_at.desc(), TrainingEntry.id.desc())
            .limit(CHART_DAYS * 10)
        ).all()
        heaviest: dict[date, int] = {}
        for _name, weight_g, done_at in rows:
            day = done_at.astimezone(zone).date()
            if day not in heaviest and len(heaviest) == CHART_DAYS:
                break
            heaviest[day] = max(heaviest.get(day, 0), weight_g)
        days = sorted((day, grams / 1000) for day, grams in heaviest.items())
        found.append(
            ExerciseProgress(
                key=key,
                name=rows[0][0],
                days=days,
                best_kg=best_g / 1000,
                last_kg=rows[0][1] / 1000,
                entries=count,
            )
        )
    return found
