"""Tasks, read-only: every user's to-do items, searchable and filterable.

Tasks belong to their owners; the dashboard only looks (no change goes past
`webapp.tasks.services`, so none is offered here).
"""

from __future__ import annotations

from flask_admin import Admin
from flask_babel import lazy_gettext as _l

from webapp.admin.access import SecureModelView
from webapp.admin.people import PeopleMixin, person_column
from webapp.extensions import db
from webapp.tasks.models import Task


class TaskView(PeopleMixin, SecureModelView):
    people_columns = ("owner_id",)
    column_list = ("id", "owner_id", "title", "done", "priority", "due_at", "created_at")
    column_searchable_list = ("title", "description")
    column_filters = ("owner_id", "done", "priority", "due_at", "created_at")
    column_sortable_list = ("id", "title", "done", "priority", "due_at", "created_at")
    column_default_sort = ("id", True)
    column_labels = {
        "repeat": _l("Repeats"),
        "done_at": _l("Done at"),
        "position": _l("Position"),
        "remind": _l("Reminder"),
        "remind_at": _l("Remind at"),
        "reminded_at": _l("Reminded at"),
        "items": _l("Checklist"),
        "owner_id": _l("Owner"),
        "title": _l("Title"),
        "description": _l("Description"),
        "done": _l("Done"),
        "priority": _l("Priority"),
        "due_at": _l("Due"),
        "created_at": _l("Created"),
        "updated_at": _l("Updated"),
    }
    column_formatters = {
        "owner_id": person_column,
    }


def register(admin: Admin) -> None:
    admin.add_view(TaskView(Task, db, name=_l("Tasks"), endpoint="tasks"))
