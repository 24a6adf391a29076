"""Dashboard times are the admin's local times: cells, details and custom pages in the
admin's time zone, one format (Flask-Babel's date and time), the zone named once in the
navigation bar; filters and the event form read what the admin types in that zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.admin.conftest import filter_arg
from tests.i18n.test_page_languages import visible_text
from webapp.database import utcnow
from webapp.events.models import Event
from webapp.extensions import db
from webapp.tasks.models import Task
from webapp.users.models import User

ZONE = "Asia/Vladivostok"  # UTC+10 all year
DUE = datetime(2030, 1, 2, 20, 30, tzinfo=UTC)  # 3 January, 06:30 in Vladivostok


@pytest.fixture
def far_east_admin(app, dashboard_admin):
    with app.app_context():
        db.session.get(User, dashboard_admin.id).time_zone = ZONE
        db.session.commit()
    return dashboard_admin


def test_times_are_the_admins_local_times(app, admin_client, far_east_admin, make_user):
    """Does a list, a details page and the home page show a time in the admin's zone, in
    one format, with the zone named and never "UTC"?"""
    owner = make_user(first_name="Olga")
    with app.app_context():
        task = Task(owner_id=owner.id, title="Buy milk", due_at=DUE)
        db.session.add(task)
        db.session.commit()
        task_id = task.id
    headers = {"Accept-Language": "en"}
    for path in ("/admin/tasks/", f"/admin/tasks/details/?id={task_id}"):
        page = admin_client.get(path, headers=headers).get_data(as_text=True)
        assert "Jan 3, 2030, 6:30" in page, path
        zone = re.search(r'data-testid="admin-zone".*?</span>([^<]*)</span>', page, re.S)
        assert zone and zone.group(1).strip() == "Vladivostok (+10:00)", path
        assert "UTC" not in " ".join(visible_text(page)), path
    home = admin_client.get("/admin/", headers=headers).get_data(as_text=True)
    assert "UTC" not in " ".join(visible_text(home))


def test_date_filters_read_the_admins_zone(app, admin_client, far_east_admin, make_user):
    """Is a filter's date and time read in the admin's zone (an hour ago there lists a user
    created now; read as UTC it would be nine hours ahead and list nobody)?"""
    make_user(username="fresh_one")
    an_hour_ago = (utcnow() + timedelta(hours=10) - timedelta(hours=1)).strftime(
        "%Y-%m-%d %H:%M:%S"
    )
    arg = filter_arg(app, "users", "Created", "greater than")
    page = admin_client.get("/admin/users/", query_string={arg: an_hour_ago})
    assert page.status_code == 200 and "fresh_one" in page.get_data(as_text=True)


def test_the_event_form_is_in_the_admins_zone(app, admin_client, far_east_admin, make_user):
    """Does the event form show the start in the admin's zone and store what they type
    there as UTC?"""
    with app.app_context():
        event = Event(creator_id=make_user().id, title="Match", starts_at=DUE)
        db.session.add(event)
        db.session.commit()
        event_id = event.id
    page = admin_client.get(f"/admin/events/{event_id}/participants").get_data(as_text=True)
    assert 'value="2030-01-03T06:30"' in page
    form = {"title": "Match", "starts_at": "2030-05-01T10:00", "kind": "event", "level": "any"}
    form |= {"join_mode": "open", "sport": ""}
    admin_client.post(f"/admin/events/{event_id}/edit", data=form)
    with app.app_context():
        stored = db.session.get(Event, event_id).starts_at
        assert stored.astimezone(UTC) == datetime(2030, 5, 1, 0, 0, tzinfo=UTC)
