"""The task: one user's to-do item."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.database import TimestampMixin, UTCDateTime, value_enum
from webapp.extensions import db


class Priority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


class Task(TimestampMixin, db.Model):
    __tablename__ = "tasks"
    # The list query: one owner's tasks, newest first (a backward scan of this index).
    __table_args__ = (Index("ix_tasks_owner_created", "owner_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)
    done: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    priority: Mapped[Priority] = mapped_column(
        value_enum(Priority, "task_priority", length=8),
        default=Priority.NORMAL,
        nullable=False,
    )
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Task {self.id} owner={self.owner_id}>"
