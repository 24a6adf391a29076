"""Task rules: only the owner sees or changes a task, a category or a tag (anyone else gets
404; naming someone else's category on a task is 422).

Lists are the owner's tasks, newest first, filtered by done/priority, category, tags (all
of them), due date (`today`, `overdue`, `week`, `none`, in the owner's local days) and a
case-insensitive search in title and description (LIKE wildcards in the search are matched
literally).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from types import SimpleNamespace
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, case, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from webapp.database import insert_ignoring_conflicts, utcnow
from webapp.errors import Conflict, NotFound, ValidationFailed, field_error
from webapp.extensions import db
from webapp.i18n import local_datetime, user_locale, user_zone
from webapp.outbox import queue_message
from webapp.pagination import Page, core_rows, paginate, scalars
from webapp.tasks.models import (
    POSITION_GAP,
    REMIND_LEAD,
    Priority,
    Remind,
    Repeat,
    Task,
    TaskCategory,
    TaskTag,
)
from webapp.users.models import User

EDITABLE = ("title", "description", "done", "priority", "due_at", "items", "repeat", "remind")
SORTS = ("position", "due", "priority", "created", "title")
KEYSET_SORTS = ("position", "created", "title")
"""Sorts whose keys are plain non-null columns, so a `next` cursor can follow them; `due`
and `priority` page by `skip`."""
PRIORITY_RANK = case(
    {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2}, value=Task.priority, else_=1
)


def list_tasks(
    owner: User,
    *,
    done: bool | None = None,
    priority: Priority | None = None,
    search: str | None = None,
    category: int | None = None,
    tags: Sequence[str] = (),
    due: str | None = None,
    due_on: date | None = None,
    now: datetime | None = None,
    sort: str = "-created",
    skip: int = 0,
    limit: int = 20,
    after: str | None = None,
    rows: bool = False,
) -> Page[Any]:
    """The owner's tasks, newest first; `after` (a cursor) pages by keyset instead of skip.

    `rows=True` gives Core rows of the table's columns instead of `Task` models: the JSON
    list reads nothing else, and skipping the ORM's identity map and instance state is a
    sixth of the request (`bench/profile_lists.py`); each row carries its tags in the same
    statement (`row_tags`)."""
    query = select(*Task.__table__.c, _TAG_LIST) if rows else select(Task)
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
        query = query.where(_due_filter(due, now or utcnow(), user_zone(owner)))
    if due_on is not None:
        query = query.where(_due_during(due_on, due_on, user_zone(owner)))
    if search and search.strip():
        term = search.strip()
        query = query.where(
            or_(
                Task.title.icontains(term, autoescape=True),
                Task.description.icontains(term, autoescape=True),
            )
        )
    order, keyset = task_order(sort)
    if after is not None and not keyset:
        message = _l("This sort pages by skip, not by a cursor.")
        raise ValidationFailed(message, errors=[field_error("after", message)])
    shape = core_rows if rows else scalars
    page = paginate(query, order, skip=skip, limit=limit, after=after, keyset=keyset, shape=shape)
    # The list always answers `next` (null when this sort pages by skip).
    return page if keyset else replace(page, keyset=True)


def task_order(sort: str) -> tuple[list[Any], bool]:
    """(ORDER BY terms, whether a cursor can follow them) for `sort`: a name of `SORTS`,
    `-` in front for descending. Ties end on id in the same direction; undated tasks come
    last in either direction of `due`."""
    descending = sort.startswith("-")
    name = sort.removeprefix("-")
    if name not in SORTS:
        message = _l("Unknown sort.")
        raise ValidationFailed(message, errors=[field_error("sort", message)])

    def direct(column: Any) -> Any:
        return column.desc() if descending else column.asc()

    if name == "due":
        return [Task.due_at.is_(None), direct(Task.due_at), direct(Task.id)], False
    if name == "priority":
        return [direct(PRIORITY_RANK), direct(Task.created_at), direct(Task.id)], False
    column = {"position": Task.position, "created": Task.created_at, "title": Task.title}[name]
    return [direct(column), direct(Task.id)], True


def local_midnight(day: date, zone: tzinfo) -> datetime:
    """When `day` begins in `zone`, as a UTC moment (a DST change inside the day is kept)."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def local_today(now: datetime, zone: tzinfo) -> date:
    """The date it is in `zone` at `now`."""
    return now.astimezone(zone).date()


def _due_during(first: date, last: date, zone: tzinfo) -> Any:
    """Due on one of the local days from `first` to `last`, both included."""
    end = local_midnight(last + timedelta(days=1), zone)
    return (Task.due_at >= local_midnight(first, zone)) & (Task.due_at < end)


def due_days(owner: User, first: date, last: date) -> dict[date, tuple[int, int]]:
    """The calendar's marks: for each local day from `first` to `last` with tasks due,
    (open, done) counts — one statement reading only due times (a month's worth), bucketed
    here by the owner's local day, the same on every database."""
    zone = user_zone(owner)
    found: dict[date, tuple[int, int]] = {}
    statement = select(Task.due_at, Task.done).where(
        Task.owner_id == owner.id, _due_during(first, last, zone)
    )
    for due_at, done in db.session.execute(statement):
        day = due_at.astimezone(zone).date()
        open_count, done_count = found.get(day, (0, 0))
        found[day] = (open_count, done_count + 1) if done else (open_count + 1, done_count)
    return found


def _due_filter(due: str, now: datetime, zone: tzinfo) -> Any:
    """`today`: due during the owner's local today; `overdue`: due before now and still
    open; `week`: due from the start of today to the end of the 7th local day; `none`: no
    due date."""
    today = local_today(now, zone)
    start = local_midnight(today, zone)
    if due == "today":
        return (Task.due_at >= start) & (Task.due_at < local_midnight(today + timedelta(1), zone))
    if due == "overdue":
        return (Task.due_at < now) & Task.done.is_(False)
    if due == "week":
        return (Task.due_at >= start) & (Task.due_at < local_midnight(today + timedelta(7), zone))
    return Task.due_at.is_(None)


# A list row's tags, in the row's own statement: one string, joined by a character no tag
# holds (tags are stored with their whitespace collapsed, and Python counts U+001F as
# whitespace). PostgreSQL leaves it out of the list's count (an output nobody reads).
TAG_SEPARATOR = "\x1f"
_TAG_LIST = (
    select(func.aggregate_strings(TaskTag.tag, TAG_SEPARATOR))
    .where(TaskTag.task_id == Task.id)
    .scalar_subquery()
    .label("tag_list")
)


def row_tags(row: Any) -> list[str]:
    """The tags of a row of `list_tasks(rows=True)`, in alphabetical order."""
    return sorted(row.tag_list.split(TAG_SEPARATOR)) if row.tag_list else []


def row_views(rows: Sequence[Any]) -> list[SimpleNamespace]:
    """A list's Core rows (`list_tasks(rows=True)`) as the row template reads a `Task`:
    its columns and its `tags`, without ORM instances."""
    return [SimpleNamespace(**{**row._mapping, "tags": row_tags(row)}) for row in rows]


def get_task(owner: User, task_id: int) -> Task:
    """The owner's task, or NotFound (someone else's task does not exist for you)."""
    task = db.session.get(Task, task_id)
    if task is None or task.owner_id != owner.id:
        raise NotFound(_l("No such task."))
    return task


def create_task(owner: User, fields: dict[str, Any]) -> Task:
    """A new task, at the top of the owner's manual order."""
    top = db.session.scalar(select(func.min(Task.position)).where(Task.owner_id == owner.id))
    task = Task(owner_id=owner.id, position=(top or 0) - POSITION_GAP, **_editable(fields))
    task.done_at = utcnow() if task.done else None
    _schedule_reminder(task)
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
    was_done = task.done
    reminder = (task.due_at, task.remind)
    for name, value in _editable(changes).items():
        setattr(task, name, value)
    if (task.due_at, task.remind) != reminder:  # an unchanged one keeps a snooze
        _schedule_reminder(task)
    if task.done != was_done:
        task.done_at = utcnow() if task.done else None
    if task.done and not was_done and task.repeat is not None:
        db.session.flush()
        create_next_occurrence(task)
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


def tick_item(owner: User, task_id: int, index: int, done: bool) -> Task:
    """Tick or untick one checklist item (from the list, without opening the task). The
    task row is locked first: two items ticked at once both stay ticked (the checklist is
    one JSON value, rewritten whole)."""
    task = db.session.execute(
        select(Task)
        .where(Task.id == task_id, Task.owner_id == owner.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if task is None:
        raise NotFound(_l("No such task."))
    if index >= len(task.items):
        raise NotFound(_l("No such checklist item."))
    items = [dict(item) for item in task.items]
    items[index]["done"] = done
    task.items = items
    db.session.flush()
    return task


BULK_ACTIONS = ("done", "undone", "delete", "move_to_category")


def bulk_change(
    owner: User, ids: Sequence[int], action: str, category_id: int | None = None
) -> list[int]:
    """One action on many of the owner's tasks, one statement per table whatever their
    number; ids that are not the owner's are left out (they do not exist for you). Returns
    the ids changed."""
    if action not in BULK_ACTIONS:
        message = _l("Unknown action.")
        raise ValidationFailed(message, errors=[field_error("action", message)])
    mine = list(
        db.session.scalars(
            select(Task.id)
            .where(Task.owner_id == owner.id, Task.id.in_(set(ids)))
            .order_by(Task.id)
        )
    )
    if action == "move_to_category":
        target = _own_category_id(owner, category_id, field="category_id")
    if not mine:
        return mine
    chosen = Task.id.in_(mine)
    if action in ("done", "undone"):
        done = action == "done"
        # Only tasks that change: a done task keeps the day it was done.
        repeating = []
        if done:
            repeating = list(
                db.session.scalars(
                    select(Task).where(chosen, Task.done.is_(False), Task.repeat.is_not(None))
                )
            )
        db.session.execute(
            update(Task)
            .where(chosen, Task.done.is_(not done))
            .values(done=done, done_at=utcnow() if done else None)
        )
        for task in repeating:
            create_next_occurrence(task)
    elif action == "move_to_category":
        db.session.execute(update(Task).where(chosen).values(category_id=target))
    else:
        # Tags first: SQLite enforces no ON DELETE CASCADE unless told to.
        db.session.execute(delete(TaskTag).where(TaskTag.task_id.in_(mine)))
        db.session.execute(delete(Task).where(chosen))
    db.session.flush()
    return mine


def _editable(fields: dict[str, Any]) -> dict[str, Any]:
    editable = {name: value for name, value in fields.items() if name in EDITABLE}
    if "items" in editable:  # stored whole, each with both keys (a PATCH may omit `done`)
        editable["items"] = [
            {"text": item["text"], "done": bool(item.get("done", False))}
            for item in editable["items"]
        ]
    return editable


def _set_tags(task: Task, owner: User, tags: Sequence[str]) -> None:
    """Keep the rows of tags that stay, drop the others, add the new ones (re-adding a
    removed tag in the same flush would insert before the delete and collide)."""
    wanted = list(dict.fromkeys(tags))
    task.tag_rows = [row for row in task.tag_rows if row.tag in wanted]
    have = {row.tag for row in task.tag_rows}
    task.tag_rows.extend(TaskTag(tag=tag, owner_id=owner.id) for tag in wanted if tag not in have)


# --- repeating tasks -----------------------------------------------------------------------


def next_due(repeat: Repeat, due: datetime, now: datetime) -> datetime:
    """The next due time one period after `due`, moved on until it is after `now` (a task
    ticked late does not come back already overdue). Monthly keeps the day of the month,
    or takes the month's last day when it has fewer (31 January → 28 February, and from
    there the 28th)."""
    moment = due
    for _step in range(10_000):  # bounded: a daily task from decades ago still ends
        moment = _one_period(repeat, moment)
        if moment > now:
            break
    return moment


def _one_period(repeat: Repeat, moment: datetime) -> datetime:
    if repeat is Repeat.DAILY:
        return moment + timedelta(days=1)
    if repeat is Repeat.WEEKLY:
        return moment + timedelta(days=7)
    if repeat is Repeat.WEEKDAYS:
        moment += timedelta(days=1)
        while moment.weekday() >= 5:
            moment += timedelta(days=1)
        return moment
    year, month = (moment.year, moment.month + 1) if moment.month < 12 else (moment.year + 1, 1)
    last_day = calendar.monthrange(year, month)[1]
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def create_next_occurrence(task: Task) -> int | None:
    """The open copy of a repeating task, due one period on, at the top of the order — once:
    `repeat_of_id` is unique, so a second tick (another device, the same moment) inserts
    nothing. Returns the new task's id, or None when it already exists."""
    if task.repeat is None:
        return None
    now = utcnow()
    due = next_due(task.repeat, task.due_at or now, now)
    top = db.session.scalar(select(func.min(Task.position)).where(Task.owner_id == task.owner_id))
    new_id = db.session.scalar(
        insert_ignoring_conflicts(
            Task,
            db.session,
            owner_id=task.owner_id,
            title=task.title,
            description=task.description,
            done=False,
            priority=task.priority,
            due_at=due,
            category_id=task.category_id,
            items=[{"text": item["text"], "done": False} for item in task.items],
            repeat=task.repeat,
            remind=task.remind,
            remind_at=None if task.remind is None else due - REMIND_LEAD[task.remind],
            repeat_of_id=task.id,
            position=(top or 0) - POSITION_GAP,
            created_at=now,
            updated_at=now,
        ).returning(Task.__table__.c.id)
    )
    if new_id is not None and task.tags:
        db.session.execute(
            insert(TaskTag.__table__),
            [{"task_id": new_id, "tag": tag, "owner_id": task.owner_id} for tag in task.tags],
        )
    return new_id


# --- due reminders from the bot ------------------------------------------------------------

REMINDER_GRACE = timedelta(days=1)
"""A reminder time further in the past than this is not sent any more (a worker that was
down a while catches up on the last day; a task given an old due date stays quiet)."""
SNOOZE = timedelta(hours=1)
CALLBACK_PREFIX = "task"
"""Callback data of the reminder's buttons: `task:done:<id>`, `task:snooze:<id>:<stamp>`."""


def _schedule_reminder(task: Task) -> None:
    """When the next reminder goes out: the due time minus the chosen lead; none without
    both. A reminder needs a due date (422 on `remind`)."""
    if task.remind is not None and task.due_at is None:
        message = _l("A reminder needs a due date.")
        raise ValidationFailed(message, errors=[field_error("remind", message)])
    if task.remind is None or task.due_at is None:
        task.remind_at = None
    else:
        task.remind_at = task.due_at - REMIND_LEAD[Remind(task.remind)]


def reminder_stamp(moment: datetime) -> int:
    """A reminder time as whole seconds (in the snooze button's data and the dedupe key)."""
    return int(moment.timestamp())


def queue_reminders(now: datetime | None = None) -> int:
    """Queue every reminder whose time has come, once each; return how many.

    One guarded UPDATE claims them all (`reminded_at = remind_at` where the two differ): on
    PostgreSQL a second worker running at the same moment waits on the claimed rows, then
    finds its condition false and claims nothing. The outbox's dedupe key (task and
    reminder time) makes a duplicate a no-op as well, and lets a snoozed or re-dated
    reminder be a new message."""
    now = now or utcnow()
    reachable = select(User.id).where(User.telegram_id.is_not(None), User.deleted_at.is_(None))
    table = Task.__table__
    claimed = (
        db.session.execute(
            update(table)
            .where(
                table.c.remind_at <= now,
                table.c.remind_at > now - REMINDER_GRACE,
                table.c.done.is_(False),
                or_(table.c.reminded_at.is_(None), table.c.reminded_at != table.c.remind_at),
                table.c.owner_id.in_(reachable),
            )
            .values(reminded_at=table.c.remind_at)
            .returning(table.c.id)
        )
        .scalars()
        .all()
    )
    if not claimed:
        return 0
    tasks = db.session.execute(
        select(Task, User)
        .join(User, User.id == Task.owner_id)
        .where(Task.id.in_(claimed))
        .order_by(Task.id)
        .execution_options(populate_existing=True)
    ).all()
    return sum(_queue_reminder(task, user) for task, user in tasks)


def _queue_reminder(task: Task, user: User) -> bool:
    assert task.remind_at is not None and task.due_at is not None and user.telegram_id
    stamp = reminder_stamp(task.remind_at)
    with force_locale(user_locale(user)):
        when = local_datetime(task.due_at, user_zone(user))  # the user's local time
        text = _("Reminder: “%(title)s” is due %(when)s.", title=task.title, when=when)
        buttons = [
            {"text": _("Done"), "callback_data": f"{CALLBACK_PREFIX}:done:{task.id}"},
            {
                "text": _("Snooze 1 h"),
                "callback_data": f"{CALLBACK_PREFIX}:snooze:{task.id}:{stamp}",
            },
        ]
    return queue_message(
        user.telegram_id,
        text,
        reply_markup={"inline_keyboard": [buttons]},
        dedupe_key=f"task-reminder:{task.id}:{stamp}",
    )


class ReminderAnswer:
    """What a press of a reminder's button did (the bot says it in the user's language)."""

    DONE = "done"
    ALREADY_DONE = "already_done"
    SNOOZED = "snoozed"
    ALREADY_SNOOZED = "already_snoozed"
    GONE = "gone"


def _owner_by_telegram_id(telegram_id: int) -> User | None:
    return db.session.scalars(
        select(User).where(User.telegram_id == telegram_id, User.deleted_at.is_(None))
    ).first()


def _locked_task(owner: User, task_id: int) -> Task | None:
    """The owner's task under its row lock: two presses at once take turns."""
    return db.session.execute(
        select(Task)
        .where(Task.id == task_id, Task.owner_id == owner.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def done_from_reminder(telegram_id: int, task_id: int) -> tuple[str, Task | None]:
    """ "Done" pressed in the chat: tick the task (its next occurrence too, if it repeats).
    A second press finds it done and changes nothing; only the owner's chat can tick it."""
    owner = _owner_by_telegram_id(telegram_id)
    task = _locked_task(owner, task_id) if owner else None
    if owner is None or task is None:
        return ReminderAnswer.GONE, None
    if task.done:
        return ReminderAnswer.ALREADY_DONE, task
    return ReminderAnswer.DONE, set_done(owner, task_id, True)


def snooze_from_reminder(
    telegram_id: int, task_id: int, stamp: int, now: datetime | None = None
) -> tuple[str, Task | None]:
    """ "Snooze 1 h" pressed: the reminder comes again an hour from now. Only the reminder
    the button was sent for moves: a second press of it (or a press after the due date
    changed) finds another reminder time and changes nothing."""
    owner = _owner_by_telegram_id(telegram_id)
    task = _locked_task(owner, task_id) if owner else None
    if owner is None or task is None:
        return ReminderAnswer.GONE, None
    if task.done:
        return ReminderAnswer.ALREADY_DONE, task
    if task.remind_at is None or reminder_stamp(task.remind_at) != stamp:
        return ReminderAnswer.ALREADY_SNOOZED, task
    task.remind_at = (now or utcnow()) + SNOOZE
    db.session.flush()
    return ReminderAnswer.SNOOZED, task


# --- the manual order ---------------------------------------------------------------------


def move_task(
    owner: User, task_id: int, *, before_id: int | None = None, after_id: int | None = None
) -> Task:
    """Put a task right before or right after another of the owner's tasks in
    `sort=position`, writing only the moved task's row: its new position is the midpoint
    of the gap it goes into. When the gap is used up (neighbours one apart, or tied) the
    owner's list is renumbered once, `POSITION_GAP` apart, and the move retried.

    Moves of one owner take turns on the owner's row lock: a move reads its neighbours
    after the move before it committed, and a renumbering never interleaves with a move
    computed from the old numbers (on SQLite, one writer at a time gives the same)."""
    if (before_id is None) == (after_id is None):
        message = _l("Say either before_id or after_id.")
        raise ValidationFailed(message, errors=[field_error("before_id", message)])
    anchor_id = before_id if before_id is not None else after_id
    assert anchor_id is not None  # one of the two, checked above
    anchor_field = "before_id" if before_id is not None else "after_id"
    _take_turn(owner, task_id)
    found: dict[int, int] = dict(
        db.session.execute(
            select(Task.id, Task.position).where(
                Task.owner_id == owner.id, Task.id.in_([task_id, anchor_id])
            )
        )
        .tuples()
        .all()
    )
    if task_id not in found:
        raise NotFound(_l("No such task."))
    if anchor_id not in found or anchor_id == task_id:
        message = _l("No such task to place it next to.")
        raise ValidationFailed(message, errors=[field_error(anchor_field, message)])
    for _attempt in range(2):
        position = _position_next_to(
            owner, task_id, anchor_id, found[anchor_id], before=before_id is not None
        )
        if position is not None:
            break
        found[anchor_id] = _renumber(owner)[anchor_id]
    else:  # pragma: no cover - a fresh numbering always has room
        raise Conflict(_l("The order could not be changed; try again."))
    db.session.execute(
        update(Task)
        .where(Task.id == task_id)
        .values(position=position)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(
        select(Task).where(Task.id == task_id).execution_options(populate_existing=True)
    ).scalar_one()


def _take_turn(owner: User, task_id: int) -> None:
    """Wait for the owner's other moves to commit before reading any position. PostgreSQL:
    the owner's row lock. SQLite: a write first (to the moved row, a no-op), which takes
    the database's single write lock; the reads after it see every committed move."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(User.id).where(User.id == owner.id).with_for_update())
    else:
        table = Task.__table__
        db.session.execute(
            update(table)
            .where(table.c.id == task_id, table.c.owner_id == owner.id)
            .values(position=table.c.position)
        )


def _position_next_to(
    owner: User, task_id: int, anchor_id: int, anchor_position: int, *, before: bool
) -> int | None:
    """The midpoint between the anchor and its neighbour on the chosen side (the moved task
    itself not counted), or None when no whole number fits between them."""
    if before:
        beyond = or_(
            Task.position < anchor_position,
            and_(Task.position == anchor_position, Task.id < anchor_id),
        )
        order = [Task.position.desc(), Task.id.desc()]
    else:
        beyond = or_(
            Task.position > anchor_position,
            and_(Task.position == anchor_position, Task.id > anchor_id),
        )
        order = [Task.position.asc(), Task.id.asc()]
    neighbour = db.session.scalar(
        select(Task.position)
        .where(Task.owner_id == owner.id, Task.id != task_id, beyond)
        .order_by(*order)
        .limit(1)
    )
    if neighbour is None:
        return anchor_position - POSITION_GAP if before else anchor_position + POSITION_GAP
    middle = (anchor_position + neighbour) // 2
    return None if middle in (anchor_position, neighbour) else middle


def _renumber(owner: User) -> dict[int, int]:
    """Space the owner's tasks `POSITION_GAP` apart in their current order (rare: only when
    a gap is used up); returns the new positions."""
    ids = db.session.scalars(
        select(Task.id).where(Task.owner_id == owner.id).order_by(Task.position, Task.id)
    ).all()
    positions = {task_id: index * POSITION_GAP for index, task_id in enumerate(ids)}
    if positions:
        db.session.execute(
            update(Task.__table__)
            .where(Task.__table__.c.id == bindparam("task_id"))
            .values(position=bindparam("new_position")),
            [{"task_id": k, "new_position": v} for k, v in positions.items()],
        )
    return positions


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


# --- statistics --------------------------------------------------------------------------

CHART_DAYS = 30


@dataclass(frozen=True)
class TaskStats:
    """The statistics panel's numbers (days are the owner's local days; weeks start on
    Monday)."""

    total: int
    done: int
    due_today: int
    """Open tasks due today."""
    overdue: int
    """Open tasks due before now."""
    done_this_week: int
    done_per_day: list[tuple[date, int]]
    """Tasks done on each of the last `CHART_DAYS` days, oldest first, today last."""

    @property
    def done_percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def task_stats(owner: User, now: datetime | None = None) -> TaskStats:
    """The owner's numbers in two statements: one aggregate over the tasks, and the done
    times of the last 30 days (bucketed here by the owner's local day, the same on every
    database)."""
    now = now or utcnow()
    zone = user_zone(owner)
    local_day = local_today(now, zone)
    today = local_midnight(local_day, zone)
    tomorrow = local_midnight(local_day + timedelta(days=1), zone)
    week_start = local_midnight(local_day - timedelta(days=local_day.weekday()), zone)
    is_open = Task.done.is_(False)

    def number(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = db.session.execute(
        select(
            func.count(),
            number(Task.done.is_(True)),
            number(is_open & (Task.due_at >= today) & (Task.due_at < tomorrow)),
            number(is_open & (Task.due_at < now)),
            number(Task.done_at >= week_start),
        ).where(Task.owner_id == owner.id)
    ).one()
    first_day = local_day - timedelta(days=CHART_DAYS - 1)
    per_day = {first_day + timedelta(days=n): 0 for n in range(CHART_DAYS)}
    since = local_midnight(first_day, zone)
    for done_at in db.session.scalars(
        select(Task.done_at).where(Task.owner_id == owner.id, Task.done_at >= since)
    ):
        if done_at is None:  # the filter leaves none out, but the column may be NULL
            continue
        day = done_at.astimezone(zone).date()
        if day in per_day:
            per_day[day] += 1
    total, done, due_today, overdue, done_this_week = (int(value) for value in row)
    return TaskStats(
        total=total,
        done=done,
        due_today=due_today,
        overdue=overdue,
        done_this_week=done_this_week,
        done_per_day=list(per_day.items()),
    )


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


def _own_category_id(
    owner: User, category_id: int | None, *, field: str = "category"
) -> int | None:
    """The id if it names one of the owner's categories; someone else's or a missing one
    is a 422 on `category` (the task is yours, the reference is what is wrong)."""
    if category_id is None:
        return None
    category = db.session.get(TaskCategory, category_id)
    if category is None or category.owner_id != owner.id:
        message = _l("No such category.")
        raise ValidationFailed(message, errors=[field_error(field, message)])
    return category.id
