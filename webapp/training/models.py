"""One logged set of an exercise: weight, reps, sets and when it was done.

The weight is kept in whole grams (`weight_g`: 62.5 kg is 62500), so sums and comparisons
are exact; the wire speaks kilograms. `exercise_key` is the name folded for grouping
("Bench press", "bench  PRESS" are one exercise); `exercise` keeps the name as typed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.database import UTCDateTime, utcnow
from webapp.extensions import Model


class TrainingEntry(Model):
    __tablename__ = "training_entries"
    __table_args__ = (
        CheckConstraint("weight_g >= 0", name="weight_not_negative"),
        CheckConstraint("reps >= 1", name="reps_positive"),
        CheckConstraint("sets >= 1", name="sets_positive"),
        # The list: one user's entries, newest first, optionally of one exercise.
        Index("ix_training_entries_user_done", "user_id", "done_at", "id"),
        Index("ix_training_entries_user_exercise", "user_id", "exercise_key", "done_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    exercise: Mapped[str] = mapped_column(String(100), nullable=False)
    exercise_key: Mapped[str] = mapped_column(String(100), nullable=False)
    weight_g: Mapped[int] = mapped_column(Integer, nullable=False)
    reps: Mapped[int] = mapped_column(Integer, nullable=False)
    sets: Mapped[int] = mapped_column(Integer, nullable=False)
    done_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    @property
    def weight_kg(self) -> float:
        return self.weight_g / 1000

    def __repr__(self) -> str:
        return f"<TrainingEntry {self.id} {self.exercise_key} {self.weight_g}g>"
