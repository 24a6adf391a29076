"""No dashboard view shows a secret — a password's hash, the calendar feed's secret (its
URL is the key to someone's schedule), the session version (part of every session id) —
in a list, a details page, an export, a filter, a sort or a search."""

from __future__ import annotations

import pytest
from flask_admin.contrib.sqla import ModelView

from tests.admin.conftest import cheap_hash
from webapp.admin.access import SECRET_COLUMNS
from webapp.admin.views.users import UserView
from webapp.extensions import db
from webapp.users.models import User

CALENDAR_SECRET = "cal-7f3e9a1b5c"
SESSION_VERSION = 918_273_645


def _model_views(app) -> list[ModelView]:
    return [v for v in app.extensions["admin"][0]._views if isinstance(v, ModelView)]


def test_no_view_offers_a_secret_column(app):
    """Does any model view list, detail, export, sort, filter or search a secret column?"""
    views = _model_views(app)
    assert len(views) >= 10
    with app.test_request_context():
        for view in views:
            shown = {name for name, _label in view.get_list_columns()}
            shown |= {name for name, _label in view.get_details_columns()}
            shown |= {name for name, _label in view.get_export_columns()}
            shown |= {str(name) for name in view.get_sortable_columns()}
            shown |= {str(getattr(f.column, "key", f.column)) for f in view._filters or ()}
            shown |= {str(column) for column in view.column_searchable_list or ()}
            assert not shown & SECRET_COLUMNS, (view.endpoint, shown & SECRET_COLUMNS)


def test_user_pages_show_no_secret(app, admin_client, make_user):
    """Do a user's details, the users list and the user's page leave the secrets out, even
    with the view showing every other column?"""
    user = make_user(first_name="Keeper", password_hash=cheap_hash("hidden words"))
    with app.app_context():
        stored = db.session.get(User, user.id)
        stored.calendar_secret, stored.session_version = CALENDAR_SECRET, SESSION_VERSION
        password_hash = stored.password_hash
        db.session.commit()
    for path in (
        f"/admin/users/details/?id={user.id}",
        "/admin/users/",
        f"/admin/users/manage/{user.id}",
    ):
        answer = admin_client.get(path)
        html = answer.get_data(as_text=True)
        assert answer.status_code == 200 and "Keeper" in html, path
        for secret in (CALENDAR_SECRET, str(SESSION_VERSION), password_hash):
            assert secret not in html, (path, secret)


@pytest.mark.parametrize("setting", ["column_filters", "column_searchable_list"])
def test_a_view_that_filters_or_searches_a_secret_does_not_start(app, setting):
    """Is a view configured to filter or search by a secret refused when it is built?"""

    class Leaky(UserView):
        pass

    setattr(Leaky, setting, ("calendar_secret",))
    with app.app_context(), pytest.raises(ValueError, match="secret"):
        Leaky(User, db, endpoint="leaky")
