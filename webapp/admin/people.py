"""User columns in dashboard lists: a name that links to the user, one query per page.

Feature models keep plain `*_id` columns to users (no relationship), so a list of 50 rows
would load 50 users one by one. `PeopleMixin` loads the page's users in one query after
`get_list`; the formatter reads them (a details page, with one row, loads its own).
"""

from __future__ import annotations

from typing import Any

from flask import g, url_for
from markupsafe import Markup, escape
from sqlalchemy import select

from webapp.extensions import db
from webapp.users.models import User


def _known() -> dict[int, User]:
    if not hasattr(g, "admin_people"):
        g.admin_people = {}
    return g.admin_people


def person(user_id: int | None) -> Markup:
    """`Name (#id)` linking to the user's page in the dashboard, or an empty cell."""
    if user_id is None:
        return Markup("")
    user = _known().get(user_id) or db.session.get(User, user_id)
    name = user.display_name if user is not None else "?"
    link = url_for("users.manage", user_id=user_id)
    return Markup('<a href="{}">{}</a> <small class="text-muted">#{}</small>').format(
        link, escape(name), user_id
    )


def person_column(_view: Any, _context: Any, model: Any, name: str) -> Markup:
    """A Flask-Admin column formatter for a `*_id` column that names a user."""
    return person(getattr(model, name))


class PeopleMixin:
    """Loads the users named by `people_columns` of a list page in one query."""

    people_columns: tuple[str, ...] = ()

    def get_list(self, *args: Any, **kwargs: Any) -> Any:
        count, rows = super().get_list(*args, **kwargs)  # type: ignore[misc]
        if kwargs.get("execute", True) is not False:
            ids = {getattr(row, c) for row in rows for c in self.people_columns} - {None}
            if ids:
                users = db.session.scalars(select(User).where(User.id.in_(ids)))
                _known().update({user.id: user for user in users})
        return count, rows
