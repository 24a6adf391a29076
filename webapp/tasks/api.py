"""JSON routes for tasks: `/api/tasks`, `/api/tasks/categories`, `/api/tasks/tags`."""

from __future__ import annotations

from webapp.api import KeysetPage, Problem, api_blueprint, no_content, page_of, respond
from webapp.auth.identity import current, login_required
from webapp.extensions import db
from webapp.tasks import services
from webapp.tasks.schemas import (
    BulkIn,
    BulkOut,
    CategoryIn,
    CategoryList,
    CategoryOut,
    CategoryPath,
    ItemPath,
    ItemTick,
    MoveIn,
    StatsOut,
    TagList,
    TaskIn,
    TaskOut,
    TaskPatch,
    TaskPath,
    TaskQuery,
    task_json,
)

bp = api_blueprint("tasks_api", __name__, "/api/tasks", tag="tasks", description="To-do list")


@bp.get("", responses={200: KeysetPage[TaskOut]})
@login_required
def list_tasks(query: TaskQuery):
    """My tasks, newest first or in `sort` order; filter by `status` (done), `priority`,
    `search`, `category`, `tag` (repeatable: every one must match), `due` and `due_on`; page by
    `skip` or by `after` (the `next` cursor of the previous page)."""
    page = services.list_tasks(
        current(),
        done=query.status,
        priority=query.priority,
        search=query.search,
        category=query.category,
        tags=query.tag,
        due=query.due,
        due_on=query.due_on,
        sort=query.sort,
        skip=query.skip,
        limit=query.limit,
        after=query.after,
        rows=True,
    )
    return page_of(TaskOut, page, query, to_json=lambda row: task_json(row, services.row_tags(row)))


@bp.post("", responses={201: TaskOut, 422: Problem})
@login_required
def create_task(body: TaskIn):
    """Add a task."""
    task = services.create_task(current(), body.model_dump())
    db.session.commit()
    return respond(TaskOut, task, 201)


@bp.post("/bulk", responses={200: BulkOut, 422: Problem})
@login_required
def bulk_change(body: BulkIn):
    """One action on many of my tasks: `done`, `undone`, `delete`, or `move_to_category`
    (with `category_id`, null for none). Answers the ids changed."""
    ids = services.bulk_change(current(), body.ids, body.action, body.category_id)
    db.session.commit()
    return respond(BulkOut, {"ids": ids})


@bp.get("/stats", responses={200: StatsOut})
@login_required
def task_stats():
    """My numbers: due today, overdue, done this week, per cent done, and tasks done per
    day over the last 30 days."""
    stats = services.task_stats(current())
    body = {
        "total": stats.total,
        "done": stats.done,
        "done_percent": stats.done_percent,
        "due_today": stats.due_today,
        "overdue": stats.overdue,
        "done_this_week": stats.done_this_week,
        "done_per_day": [{"date": day, "count": n} for day, n in stats.done_per_day],
    }
    return respond(StatsOut, body)


@bp.get("/tags", responses={200: TagList})
@login_required
def list_tags():
    """My tags with how many tasks carry each, most used first."""
    counts = services.tag_counts(current())
    return respond(TagList, {"items": [{"tag": tag, "count": n} for tag, n in counts]})


@bp.get("/categories", responses={200: CategoryList})
@login_required
def list_categories():
    """My categories, by name."""
    return respond(CategoryList, {"items": services.list_categories(current())})


@bp.post("/categories", responses={201: CategoryOut, 409: Problem, 422: Problem})
@login_required
def create_category(body: CategoryIn):
    """Add a category (a name I have not used yet, and a colour)."""
    category = services.create_category(current(), body.name, body.color)
    db.session.commit()
    return respond(CategoryOut, category, 201)


@bp.put("/categories/<int:category_id>", responses={200: CategoryOut, 404: Problem, 409: Problem})
@login_required
def replace_category(path: CategoryPath, body: CategoryIn):
    """Rename or recolour a category."""
    category = services.update_category(current(), path.category_id, body.name, body.color)
    db.session.commit()
    return respond(CategoryOut, category)


@bp.delete("/categories/<int:category_id>", responses={204: None, 404: Problem})
@login_required
def delete_category(path: CategoryPath):
    """Delete a category; its tasks stay, without one."""
    services.delete_category(current(), path.category_id)
    db.session.commit()
    return no_content()


@bp.get("/<int:task_id>", responses={200: TaskOut, 404: Problem})
@login_required
def get_task(path: TaskPath):
    """One of my tasks."""
    return respond(TaskOut, services.get_task(current(), path.task_id))


@bp.put("/<int:task_id>", responses={200: TaskOut, 404: Problem})
@login_required
def replace_task(path: TaskPath, body: TaskIn):
    """Replace a task: every field, defaults for those left out."""
    task = services.update_task(current(), path.task_id, body.model_dump())
    db.session.commit()
    return respond(TaskOut, task)


@bp.patch("/<int:task_id>", responses={200: TaskOut, 404: Problem})
@login_required
def patch_task(path: TaskPath, body: TaskPatch):
    """Change some fields of a task."""
    task = services.update_task(current(), path.task_id, body.model_dump(exclude_unset=True))
    db.session.commit()
    return respond(TaskOut, task)


@bp.post("/<int:task_id>/move", responses={200: TaskOut, 404: Problem, 422: Problem})
@login_required
def move_task(path: TaskPath, body: MoveIn):
    """Put a task right before (`before_id`) or after (`after_id`) another of mine in the
    manual order (`sort=position`); only the moved task changes."""
    task = services.move_task(
        current(), path.task_id, before_id=body.before_id, after_id=body.after_id
    )
    db.session.commit()
    return respond(TaskOut, task)


@bp.post("/<int:task_id>/items/<int:index>", responses={200: TaskOut, 404: Problem})
@login_required
def tick_item(path: ItemPath, body: ItemTick):
    """Tick (`done: true`) or untick one checklist item, counted from 0."""
    task = services.tick_item(current(), path.task_id, path.index, body.done)
    db.session.commit()
    return respond(TaskOut, task)


@bp.delete("/<int:task_id>", responses={204: None, 404: Problem})
@login_required
def delete_task(path: TaskPath):
    """Delete a task."""
    services.delete_task(current(), path.task_id)
    db.session.commit()
    return no_content()
