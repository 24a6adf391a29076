"""The events views: list with participant counts, an event's participants, delete."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.admin.conftest import audit_entries, csrf_token, demote, sign_in
from webapp.database import utcnow
from webapp.events import services as events
from webapp.events.models import Event, Participant
from webapp.extensions import db
from webapp.users.models import User


@pytest.fixture
def make_event(app):
    """`make_event(creator, title, joined=[users])`: an event in a week, joined through the
    service (so the counter is the real one)."""

    def make(creator, title, joined=(), **fields):
        with app.app_context():
            event = Event(
                creator_id=creator.id,
                title=title,
                starts_at=utcnow() + timedelta(days=7),
                **fields,
            )
            db.session.add(event)
            db.session.flush()
            for user in joined:
                events.join_event(db.session.get(User, user.id), event.id)
            db.session.commit()
            return event.id

    return make


def test_list_shows_participant_counts(admin_client, make_user, make_event):
    """Does the events list show each event with its number of participants?"""
    creator = make_user(first_name="Carla")
    make_event(creator, "Chess night", joined=[make_user(), make_user(), make_user()])
    page = admin_client.get("/admin/events/").get_data(as_text=True)
    assert "Chess night" in page and "Carla" in page
    assert 'class="col-participants_count">3<' in "".join(page.split())


def test_event_page_lists_participants(admin_client, make_user, make_event):
    """Does an event's page list who joined, in joining order?"""
    first = make_user(first_name="Firstcomer", username="first_tg")
    second = make_user(first_name="Secondcomer")
    outsider = make_user(first_name="Outsider")
    event_id = make_event(make_user(), "Hike", joined=[first, second])
    make_event(make_user(), "Other", joined=[outsider])
    answer = admin_client.get(f"/admin/events/{event_id}/participants")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert page.index("Firstcomer") < page.index("Secondcomer")
    assert "@first_tg" in page and "Outsider" not in page


def test_missing_event_is_404(admin_client):
    """Is the page of an event that does not exist a 404?"""
    assert admin_client.get("/admin/events/999999/participants").status_code == 404


def test_participants_list_filters_by_event(app, admin_client, make_user, make_event):
    """Does the participants list narrow to one event?"""
    from tests.admin.conftest import filter_arg

    make_event(make_user(), "A", joined=[make_user(first_name="InA")])
    b_id = make_event(make_user(), "B", joined=[make_user(first_name="InB")])
    arg = filter_arg(app, "participants", "Event", "equals")
    page = admin_client.get("/admin/participants/", query_string={arg: b_id}).get_data(as_text=True)
    assert "InB" in page and "InA" not in page


def test_delete_goes_through_the_service_and_is_audited(
    app, admin_client, dashboard_admin, make_user, make_event
):
    """Does deleting an event remove it and its seats, with a before/after audit entry?"""
    event_id = make_event(make_user(), "Doomed", joined=[make_user()], location="Hall")
    answer = admin_client.post(f"/admin/events/{event_id}/delete")
    assert answer.status_code == 302
    with app.app_context():
        assert db.session.get(Event, event_id) is None
        assert db.session.query(Participant).filter_by(event_id=event_id).count() == 0
    [entry] = audit_entries(app, "event.delete")
    assert entry.actor_id == dashboard_admin.id
    assert (entry.target_type, entry.target_id) == ("events", str(event_id))
    assert entry.before["title"] == "Doomed" and entry.before["participants_count"] == 1
    assert entry.after == {"deleted": True}


def test_deleting_a_missing_event_is_a_message(app, admin_client):
    """Is deleting an event that is gone a message, not a 500, with no audit entry?"""
    answer = admin_client.post("/admin/events/999999/delete", follow_redirects=True)
    assert answer.status_code == 200 and "No such event." in answer.get_data(as_text=True)
    assert audit_entries(app) == []


def test_strangers_and_non_admins_cannot_delete(
    app, client, admin_client, dashboard_admin, make_user, make_event
):
    """Is a delete refused to a stranger and to an admin who lost the role?"""
    event_id = make_event(make_user(), "Safe")
    answer = client.post(f"/admin/events/{event_id}/delete")
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/login"
    demote(app, dashboard_admin)
    assert admin_client.post(f"/admin/events/{event_id}/delete").status_code == 403
    with app.app_context():
        assert db.session.get(Event, event_id) is not None
    assert audit_entries(app) == []


class TestWithCSRF:
    @pytest.fixture
    def app_overrides(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_delete_needs_the_token(self, app, client, dashboard_admin, make_user, make_event):
        """Is a delete without the page's csrf_token refused, and with it done?"""
        event_id = make_event(make_user(), "Guarded")
        assert sign_in(client).status_code == 302
        url = f"/admin/events/{event_id}/delete"
        assert client.post(url).status_code == 400
        with app.app_context():
            assert db.session.get(Event, event_id) is not None
        page = client.get(f"/admin/events/{event_id}/participants").get_data(as_text=True)
        assert client.post(url, data={"csrf_token": csrf_token(page)}).status_code == 302
        with app.app_context():
            assert db.session.get(Event, event_id) is None
