"""Wire schemas for tasks, their categories and tags.

`due_at` must carry a UTC offset: a naive datetime is ambiguous and is refused (422).
The same models validate the page forms, so the API and the pages share one rule.
Bodies derive from `Input`: a field they do not know is refused (422).
"""

from __future__ import annotations

from datetime import date as Day
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, field_validator

from webapp.api import Id, Input, KeysetPagination, Params, Schema, json_instant
from webapp.tasks.models import (
    CATEGORY_NAME_MAX,
    ITEM_TEXT_MAX,
    ITEMS_MAX,
    TAG_MAX,
    TITLE_MAX,
    Priority,
    Remind,
    Repeat,
)

TITLE = Field(..., min_length=1, max_length=TITLE_MAX)
DESCRIPTION_MAX = 5000
TAGS_MAX = 10
"""Tags on one task."""
Due = Literal["today", "overdue", "week", "none"]


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def normalize_tags(value: object) -> object:
    """Tags as they are stored: trimmed, without a leading `#`, lower case, each once, in
    the order given. Too long, too many or empty ones are refused."""
    if not isinstance(value, list):
        return value
    tags: list[str] = []
    for raw in value:
        if not isinstance(raw, str):
            raise ValueError("a tag is a string")
        tag = " ".join(raw.strip().lstrip("#").split()).lower()
        if not tag:
            raise ValueError("a tag may not be empty")
        if len(tag) > TAG_MAX:
            raise ValueError(f"a tag has at most {TAG_MAX} characters")
        if tag not in tags:
            tags.append(tag)
    if len(tags) > TAGS_MAX:
        raise ValueError(f"at most {TAGS_MAX} tags")
    return tags


class ChecklistItem(Input):
    """One line of a task's checklist."""

    text: str = Field(..., min_length=1, max_length=ITEM_TEXT_MAX)
    done: bool = False

    _strip_text = field_validator("text", mode="before")(_strip)


Checklist = Annotated[list[ChecklistItem], Field(max_length=ITEMS_MAX)]


class TaskIn(Input):
    """A new task, or the full replacement of one (PUT)."""

    title: str = TITLE
    description: str = Field("", max_length=DESCRIPTION_MAX)
    done: bool = False
    priority: Priority = Priority.NORMAL
    due_at: AwareDatetime | None = Field(
        None, description="ISO 8601 with a UTC offset; a time without one is refused (422)"
    )
    category: Id | None = Field(None, description="The id of one of my categories")
    tags: list[str] = Field(default_factory=list, description="Short strings; at most 10")
    items: Checklist = Field(default_factory=list, description="The checklist; at most 50")
    repeat: Repeat | None = Field(
        None, description="Ticking it done creates the next occurrence, due one period on"
    )
    remind: Remind | None = Field(
        None,
        description="A bot message at the due time (at_due), an hour (1h) or a day (1d) "
        "before; needs due_at",
    )

    _strip_title = field_validator("title", mode="before")(_strip)
    _tags = field_validator("tags", mode="before")(normalize_tags)


class TaskPatch(Input):
    """A partial change (PATCH): only the fields sent are changed."""

    title: str | None = Field(None, min_length=1, max_length=TITLE_MAX)
    description: str | None = Field(None, max_length=DESCRIPTION_MAX)
    done: bool | None = None
    priority: Priority | None = None
    due_at: AwareDatetime | None = None
    category: Id | None = Field(None, description="null takes the task out of it")
    tags: list[str] | None = None
    items: Checklist | None = None
    repeat: Repeat | None = None
    remind: Remind | None = None

    _strip_title = field_validator("title", mode="before")(_strip)
    _tags = field_validator("tags", mode="before")(normalize_tags)

    @field_validator("title", "description", "done", "priority", "tags", "items")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may not be null")
        return value


class ItemOut(Schema):
    text: str
    done: bool


class TaskOut(Schema):
    id: int
    title: str
    description: str
    done: bool
    priority: Priority
    due_at: datetime | None
    done_at: datetime | None
    category: int | None
    tags: list[str]
    items: list[ItemOut]
    repeat: Repeat | None
    remind: Remind | None
    remind_at: datetime | None = Field(description="When the bot's next reminder goes out")
    position: int
    created_at: datetime
    updated_at: datetime


def task_json(row: Any, tags: list[str]) -> dict[str, Any]:
    """`TaskOut`'s JSON from a Core row and its tags, without building the model (the
    list's hot path; `tests/tasks/test_api.py` checks the two agree)."""
    return {
        "id": row.id,
        "title": row.title,
        "description": row.description,
        "done": row.done,
        "priority": row.priority.value,
        "due_at": json_instant(row.due_at),
        "done_at": json_instant(row.done_at),
        "category": row.category_id,
        "tags": tags,
        "items": [{"text": item["text"], "done": item["done"]} for item in row.items],
        "repeat": None if row.repeat is None else row.repeat.value,
        "remind": None if row.remind is None else row.remind.value,
        "remind_at": json_instant(row.remind_at),
        "position": row.position,
        "created_at": json_instant(row.created_at),
        "updated_at": json_instant(row.updated_at),
    }


class TaskQuery(KeysetPagination):
    status: bool | None = Field(None, description="true: done, false: open")
    priority: Priority | None = None
    search: str | None = Field(None, max_length=200)
    category: Id | None = Field(None, description="Only tasks in this category")
    tag: list[str] = Field(
        default_factory=list, description="Repeatable: tasks carrying every tag given"
    )
    due_on: Day | None = Field(
        None, description="Only tasks due on this day (YYYY-MM-DD, my local day)"
    )
    due: Due | None = Field(
        None,
        description="today, overdue (past and open), week (the next 7 days), none; "
        "in my local days",
    )

    sort: str = Field(
        "-created",
        pattern=r"^-?(position|due|priority|created|title)$",
        description="position (the manual order), due, priority, created or title; "
        "`-` in front for descending. `due` and `priority` page by `skip` only.",
    )

    _tags = field_validator("tag", mode="before")(normalize_tags)


class MoveIn(Input):
    """Where a task goes in `sort=position`: right before or right after another task."""

    before_id: Id | None = None
    after_id: Id | None = None


class TaskPath(Params):
    task_id: Id


class ItemPath(Params):
    task_id: Id
    index: int = Field(..., ge=0, lt=ITEMS_MAX, description="The item's place, from 0")


class ItemTick(Input):
    done: bool


BulkAction = Literal["done", "undone", "delete", "move_to_category"]


class BulkIn(Input):
    """One action on many of my tasks. `category_id` goes with `move_to_category` (null
    takes the tasks out of their category)."""

    ids: list[Id] = Field(..., min_length=1, max_length=200)
    action: BulkAction
    category_id: Id | None = None


class BulkOut(Schema):
    ids: list[int] = Field(description="The tasks changed (ids not mine are left out)")


# --- categories and tags -----------------------------------------------------------------


class CategoryIn(Input):
    """A category: its name (unique among mine) and colour (`#rrggbb`)."""

    name: str = Field(..., min_length=1, max_length=CATEGORY_NAME_MAX)
    color: str = Field("#8e8e93", pattern=r"^#[0-9a-fA-F]{6}$")

    _strip_name = field_validator("name", mode="before")(_strip)

    @field_validator("color")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()


class CategoryOut(Schema):
    id: int
    name: str
    color: str


class CategoryList(Schema):
    items: list[CategoryOut]


class CategoryPath(Params):
    category_id: Id


class TagCount(Schema):
    tag: str
    count: int


class TagList(Schema):
    items: list[TagCount]


class DayCount(Schema):
    date: Day
    count: int


class StatsOut(Schema):
    """The statistics panel (my local days, in the time zone the Mini App reported; weeks
    start on Monday)."""

    total: int
    done: int
    done_percent: int = Field(description="Done tasks as a whole per cent of all tasks")
    due_today: int = Field(description="Open tasks due today")
    overdue: int = Field(description="Open tasks due before now")
    done_this_week: int
    done_per_day: list[DayCount] = Field(description="The last 30 days, oldest first")
