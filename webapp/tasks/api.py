"""JSON routes for tasks: `/api/tasks`."""

from __future__ import annotations

from webapp.api import KeysetPage, Problem, api_blueprint, no_content, page_of, respond
from webapp.auth.identity import current, login_required
from webapp.extensions import db
from webapp.tasks import services
from webapp.tasks.schemas import TaskIn, TaskOut, TaskPatch, TaskPath, TaskQuery, task_json

bp = api_blueprint("tasks_api", __name__, "/api/tasks", tag="tasks", description="To-do list")


@bp.get("", responses={200: KeysetPage[TaskOut]})
@login_required
def list_tasks(query: TaskQuery):
    """My tasks, newest first; filter by `status` (done), `priority`, `search`; page by
    `skip` or by `after` (the `next` cursor of the previous page)."""
    page = services.list_tasks(
        current(),
        done=query.status,
        priority=query.priority,
        search=query.search,
        skip=query.skip,
        limit=query.limit,
        after=query.after,
        rows=True,
    )
    return page_of(TaskOut, page, query, to_json=task_json)


@bp.post("", responses={201: TaskOut})
@login_required
def create_task(body: TaskIn):
    """Add a task."""
    task = services.create_task(current(), body.model_dump())
    db.session.commit()
    return respond(TaskOut, task, 201)


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


@bp.delete("/<int:task_id>", responses={204: None, 404: Problem})
@login_required
def delete_task(path: TaskPath):
    """Delete a task."""
    services.delete_task(current(), path.task_id)
    db.session.commit()
    return no_content()
