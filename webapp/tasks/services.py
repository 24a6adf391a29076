"""Task rules: only the owner sees or changes a task, a category or a tag (anyone else gets
404; naming someone else's category on a task is 422).

Lists are the owner's tasks, newest first, filtered by done/priority, category, tags (all
of them), due date (`today`, `overdue`, `week`, `none`, in UTC days) and a
case-insensitive search in title and description (LIKE wildcards in the search are matched
literally).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from webapp.database import utcnow
from webapp.errors import Conflict, NotFound, ValidationFailed, field_error
from webapp.extensions import db
from webapp.pagination import Page, core_rows, paginate, scalars
from webapp.tasks.models import Priority, Task, TaskCategory, TaskTag
from webapp.users.models import User

EDITABLE = ("title", "description", "done", "priority", "due_at")


def list_tasks(
    owner: User,
    *,
    done: bool | None = None,
    priority: Priority | None = None,
    search: str | None = None,
    category: int | None = None,
    tags: Sequence[str] = (),
    due: str | None = None,
    now: datetime | None = None,
    skip: int = 0,
    limit: int = 20,
    after: str | None = None,
    rows: bool = False,
) -> Page[Any]:
    """The owner's tasks, newest first; `after` (a cursor) pages by keyset instead of skip.

    `rows=True` gives Core rows of the table's columns instead of `Task` models: the JSON
    list reads nothing else, and skipping the ORM's identity map and instance state is a
    sixth of the request (`bench/profile_lists.py`); `tags_of` gives their tags."""
    query = select(*Task.__table__.c) if rows else select(Task)
    query = query.where(Task.owner_id == owner.id)
    if done is not None:
        query = query.where(Task.done.is_(done))
    if priority is not None:
        query = query.where(Task.priority == priority)
    if category is not None:
        query = query.where(Task.category_id == category)
    for tag in dict.fromkeys(tags):
        tagged = select(TaskTag.task_id).where(TaskTag.owner_id == owner.id, TaskTag.tag == tag)
        query = query.where(Task.id.in_(tagged))
    if due is not None:
        query = query.where(_due_filter(due, now or utcnow()))
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


def _due_filter(due: str, now: datetime) -> Any:
    """`today`: due during today (UTC); `overdue`: due before now and still open;
    `week`: due from today's start to 7 days on; `none`: no due date."""
    today = datetime.combine(now.date(), time(), tzinfo=now.tzinfo)
    if due == "today":
        return Task.due_at.between(today, today + timedelta(days=1) - timedelta(microseconds=1))
    if due == "overdue":
        return (Task.due_at < now) & Task.done.is_(False)
    if due == "week":
        return (Task.due_at >= today) & (Task.due_at < today + timedelta(days=7))
    return Task.due_at.is_(None)


def tags_of(task_ids: Iterable[int]) -> dict[int, list[str]]:
    """The tags of these tasks (one statement), each list in alphabetical order."""
    found: dict[int, list[str]] = {task_id: [] for task_id in task_ids}
    if found:
        statement = (
            select(TaskTag.task_id, TaskTag.tag)
            .where(TaskTag.task_id.in_(list(found)))
            .order_by(TaskTag.tag)
        )
        for task_id, tag in db.session.execute(statement):
            found[task_id].append(tag)
    return found


def get_task(owner: User, task_id: int) -> Task:
    """The owner's task, or NotFound (someone else's task does not exist for you)."""
    task = db.session.get(Task, task_id)
    if task is None or task.owner_id != owner.id:
        raise NotFound(_l("No such task."))
    return task


def create_task(owner: User, fields: dict[str, Any]) -> Task:
    task = Task(owner_id=owner.id, **_editable(fields))
    if "category" in fields:
        task.category_id = _own_category_id(owner, fields["category"])
    db.session.add(task)
    if fields.get("tags"):
        _set_tags(task, owner, fields["tags"])
    db.session.flush()
    return task


def update_task(owner: User, task_id: int, changes: dict[str, Any]) -> Task:
    """Apply the given fields (all of them for a replacement, some for a patch)."""
    task = get_task(owner, task_id)
    for name, value in _editable(changes).items():
        setattr(task, name, value)
    if "category" in changes:
        task.category_id = _own_category_id(owner, changes["category"])
    if "tags" in changes:
        _set_tags(task, owner, changes["tags"])
    db.session.flush()
    return task


def set_done(owner: User, task_id: int, done: bool) -> Task:
    return update_task(owner, task_id, {"done": done})


def delete_task(owner: User, task_id: int) -> None:
    db.session.delete(get_task(owner, task_id))
    db.session.flush()


def _editable(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if name in EDITABLE}


def _set_tags(task: Task, owner: User, tags: Sequence[str]) -> None:
    """Keep the rows of tags that stay, drop the others, add the new ones (re-adding a
    removed tag in the same flush would insert before the delete and collide)."""
    wanted = list(dict.fromkeys(tags))
    task.tag_rows = [row for row in task.tag_rows if row.tag in wanted]
    have = {row.tag for row in task.tag_rows}
    task.tag_rows.extend(TaskTag(tag=tag, owner_id=owner.id) for tag in wanted if tag not in have)


def tag_counts(owner: User) -> list[tuple[str, int]]:
    """The owner's tags with how many tasks carry each, most used first."""
    count = func.count().label("count")
    statement = (
        select(TaskTag.tag, count)
        .where(TaskTag.owner_id == owner.id)
        .group_by(TaskTag.tag)
        .order_by(count.desc(), TaskTag.tag)
    )
    return [(tag, number) for tag, number in db.session.execute(statement)]


# --- categories --------------------------------------------------------------------------


def list_categories(owner: User) -> list[TaskCategory]:
    """The owner's categories by name."""
    statement = (
        select(TaskCategory)
        .where(TaskCategory.owner_id == owner.id)
        .order_by(TaskCategory.name, TaskCategory.id)
    )
    return list(db.session.scalars(statement))


def get_category(owner: User, category_id: int) -> TaskCategory:
    """The owner's category, or NotFound (someone else's does not exist for you)."""
    category = db.session.get(TaskCategory, category_id)
    if category is None or category.owner_id != owner.id:
        raise NotFound(_l("No such category."))
    return category


def create_category(owner: User, name: str, color: str) -> TaskCategory:
    category = TaskCategory(owner_id=owner.id)
    _save_category(category, name, color)
    return category


def update_category(owner: User, category_id: int, name: str, color: str) -> TaskCategory:
    category = get_category(owner, category_id)
    _save_category(category, name, color)
    return category


def delete_category(owner: User, category_id: int) -> None:
    """Delete a category; its tasks stay, without a category."""
    category = get_category(owner, category_id)
    db.session.execute(update(Task).where(Task.category_id == category.id).values(category_id=None))
    db.session.delete(category)
    db.session.flush()


def _save_category(category: TaskCategory, name: str, color: str) -> None:
    """Set and flush in a savepoint: the unique (owner, name) constraint says whether the
    name is taken (409), not a prior SELECT that a concurrent request could race."""
    try:
        with db.session.begin_nested():
            category.name, category.color = name, color
            db.session.add(category)
    except IntegrityError as exc:
        message = _l("You already have a category with this name.")
        raise Conflict(message, errors=[field_error("name", message)]) from exc


def _own_category_id(owner: User, category_id: int | None) -> int | None:
    """The id if it names one of the owner's categories; someone else's or a missing one
    is a 422 on `category` (the task is yours, the reference is what is wrong)."""
    if category_id is None:
        return None
    category = db.session.get(TaskCategory, category_id)
    if category is None or category.owner_id != owner.id:
        message = _l("No such category.")
        raise ValidationFailed(message, errors=[field_error("category", message)])
    return category.id
