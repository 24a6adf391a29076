"""Task rules: only the owner sees or changes a task (anyone else gets 404).

Lists are the owner's tasks, newest first, filtered by done/priority and a
case-insensitive search in title and description (LIKE wildcards in the search are
matched literally).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from webapp.errors import NotFound
from webapp.extensions import db
from webapp.pagination import Page, core_rows, paginate, scalars
from webapp.tasks.models import Priority, Task
from webapp.users.models import User

EDITABLE = ("title", "description", "done", "priority", "due_at")


def list_tasks(
    owner: User,
    *,
    done: bool | None = None,
    priority: Priority | None = None,
    search: str | None = None,
    skip: int = 0,
    limit: int = 20,
    after: str | None = None,
    rows: bool = False,
) -> Page[Any]:
    """The owner's tasks, newest first; `after` (a cursor) pages by keyset instead of skip.

    `rows=True` gives Core rows of the table's columns instead of `Task` models: the JSON
    list reads nothing else, and skipping the ORM's identity map and instance state is a
    sixth of the request (`bench/profile_lists.py`)."""
    query = select(*Task.__table__.c) if rows else select(Task)
    query = query.where(Task.owner_id == owner.id)
    if done is not None:
        query = query.where(Task.done.is_(done))
    if priority is not None:
        query = query.where(Task.priority == priority)
    if search and search.strip():
        term = search.strip()
        query = query.where(
            or_(
                Task.title.icontains(term, autoescape=True),
                Task.description.icontains(term, autoescape=True),
            )
        )
    order = [Task.created_at.desc(), Task.id.desc()]
    shape = core_rows if rows else scalars
    return paginate(query, order, skip=skip, limit=limit, after=after, keyset=True, shape=shape)


def get_task(owner: User, task_id: int) -> Task:
    """The owner's task, or NotFound (someone else's task does not exist for you)."""
    task = db.session.get(Task, task_id)
    if task is None or task.owner_id != owner.id:
        raise NotFound(_l("No such task."))
    return task


def create_task(owner: User, fields: dict[str, Any]) -> Task:
    task = Task(owner_id=owner.id, **_editable(fields))
    db.session.add(task)
    db.session.flush()
    return task


def update_task(owner: User, task_id: int, changes: dict[str, Any]) -> Task:
    """Apply the given fields (all of them for a replacement, some for a patch)."""
    task = get_task(owner, task_id)
    for name, value in _editable(changes).items():
        setattr(task, name, value)
    db.session.flush()
    return task


def set_done(owner: User, task_id: int, done: bool) -> Task:
    return update_task(owner, task_id, {"done": done})


def delete_task(owner: User, task_id: int) -> None:
    db.session.delete(get_task(owner, task_id))
    db.session.flush()


def _editable(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if name in EDITABLE}
