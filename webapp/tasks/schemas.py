"""Wire schemas for tasks.

`due_at` must carry a UTC offset: a naive datetime is ambiguous and is refused (422).
The same models validate the page forms, so the API and the pages share one rule.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, Field, field_validator

from webapp.api import Id, Input, KeysetPagination, Params, Schema
from webapp.tasks.models import Priority

TITLE = Field(..., min_length=1, max_length=200)
DESCRIPTION_MAX = 5000


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class TaskIn(Input):
    """A new task, or the full replacement of one (PUT)."""

    title: str = TITLE
    description: str = Field("", max_length=DESCRIPTION_MAX)
    done: bool = False
    priority: Priority = Priority.NORMAL
    due_at: AwareDatetime | None = Field(
        None, description="ISO 8601 with a UTC offset; a time without one is refused (422)"
    )

    _strip_title = field_validator("title", mode="before")(_strip)


class TaskPatch(Input):
    """A partial change (PATCH): only the fields sent are changed."""

    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=DESCRIPTION_MAX)
    done: bool | None = None
    priority: Priority | None = None
    due_at: AwareDatetime | None = None

    _strip_title = field_validator("title", mode="before")(_strip)

    @field_validator("title", "description", "done", "priority")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may not be null")
        return value


class TaskOut(Schema):
    id: int
    title: str
    description: str
    done: bool
    priority: Priority
    due_at: datetime | None
    created_at: datetime
    updated_at: datetime


def _instant(value: datetime | None) -> str | None:
    """A UTC datetime as pydantic writes it (`…Z`)."""
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def task_json(row: Any) -> dict[str, Any]:
    """`TaskOut`'s JSON from a Core row, without building the model (the list's hot path;
    `tests/tasks/test_api.py` checks the two agree)."""
    return {
        "id": row.id,
        "title": row.title,
        "description": row.description,
        "done": row.done,
        "priority": row.priority.value,
        "due_at": _instant(row.due_at),
        "created_at": _instant(row.created_at),
        "updated_at": _instant(row.updated_at),
    }


class TaskQuery(KeysetPagination):
    status: bool | None = Field(None, description="true: done, false: open")
    priority: Priority | None = None
    search: str | None = Field(None, max_length=200)


class TaskPath(Params):
    task_id: Id
