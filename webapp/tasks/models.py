"""The task (one user's to-do item), the user's own categories, and the tags on tasks."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.database import TimestampMixin, UTCDateTime, value_enum
from webapp.extensions import Model

TITLE_MAX = 500
"""Vectora allowed 500 characters; Vectora's users paste long titles."""
TAG_MAX = 32
CATEGORY_NAME_MAX = 50
ITEMS_MAX = 50
"""Checklist items in one task."""
ITEM_TEXT_MAX = 200
POSITION_GAP = 1 << 16
"""The distance between neighbours in the manual order after a rebalance (and between new
tasks): sixteen moves into the same gap before the list needs renumbering."""


class Priority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


class Repeat(enum.StrEnum):
    DAILY = "daily"
    WEEKDAYS = "weekdays"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class Remind(enum.StrEnum):
    """When the bot reminds of a task with a due date: at the due time, or ahead of it."""

    AT_DUE = "at_due"
    HOUR = "1h"
    DAY = "1d"


REMIND_LEAD = {
    Remind.AT_DUE: timedelta(0),
    Remind.HOUR: timedelta(hours=1),
    Remind.DAY: timedelta(days=1),
}


class TaskCategory(TimestampMixin, Model):
    """One of a user's categories: a name (unique per user) and a colour (`#rrggbb`)."""

    __tablename__ = "task_categories"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(CATEGORY_NAME_MAX), nullable=False)
    color: Mapped[str] = mapped_column(String(7), nullable=False)

    def __repr__(self) -> str:
        return f"<TaskCategory {self.id} owner={self.owner_id}>"


class TaskTag(Model):
    """One tag on one task. `owner_id` is the task's owner, copied so that counting a
    user's tags and filtering by a tag read one index of this table."""

    __tablename__ = "task_tags"
    __table_args__ = (Index("ix_task_tags_owner_tag", "owner_id", "tag"),)

    task_id: Mapped[int] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(TAG_MAX), primary_key=True)
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )


class Task(TimestampMixin, Model):
    __tablename__ = "tasks"
    # The list query: one owner's tasks, newest first (a backward scan of this index).
    __table_args__ = (
        Index("ix_tasks_owner_created", "owner_id", "created_at", "id"),
        Index("ix_tasks_owner_category", "owner_id", "category_id"),
        Index("ix_tasks_owner_position", "owner_id", "position", "id"),
        Index("ix_tasks_owner_done_at", "owner_id", "done_at"),
        # The reminder job: open tasks whose reminder time has come (a range scan).
        Index("ix_tasks_remind_at", "remind_at"),
        # Due filters, the calendar's month and the `due` sort of one owner.
        Index("ix_tasks_owner_due", "owner_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    title: Mapped[str] = mapped_column(String(TITLE_MAX), nullable=False)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)
    done: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    priority: Mapped[Priority] = mapped_column(
        value_enum(Priority, "task_priority", length=8),
        default=Priority.NORMAL,
        nullable=False,
    )
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    repeat: Mapped[Repeat | None] = mapped_column(value_enum(Repeat, "task_repeat", length=8))
    # The task this one is the next occurrence of. Unique: ticking a repeating task done
    # creates its next occurrence once, however many times and devices tick it.
    repeat_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("tasks.id", ondelete="SET NULL"), unique=True
    )
    # When it was last ticked done (None while open): the statistics count by it.
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Deleting a category leaves its tasks without one.
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("task_categories.id", ondelete="SET NULL")
    )

    # The manual order (`sort=position`): ascending, ties broken by id. A move writes only
    # the moved task's position (`services.move_task`).
    position: Mapped[int] = mapped_column(
        BigInteger, default=0, server_default=text("0"), nullable=False
    )

    # The bot's reminder: `remind` is the user's choice; `remind_at` when the next message
    # goes out (due_at minus the lead, or a snoozed time); `reminded_at` the `remind_at` a
    # message was queued for, so each reminder time is sent once (`services.queue_reminders`).
    remind: Mapped[Remind | None] = mapped_column(value_enum(Remind, "task_remind", length=8))
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # The checklist: [{"text": str, "done": bool}, …], at most ITEMS_MAX (the schemas check).
    items: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list, server_default=text("'[]'"), nullable=False
    )

    tag_rows: Mapped[list[TaskTag]] = relationship(
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
        order_by=TaskTag.tag,
    )

    @property
    def category(self) -> int | None:
        """The wire name of `category_id` (Vectora's field)."""
        return self.category_id

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]

    def __repr__(self) -> str:
        return f"<Task {self.id} owner={self.owner_id}>"
