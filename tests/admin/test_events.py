"""The events views: list with participant counts, an event's participants, delete."""

from __future__ import annotations

import re
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
    assert re.search(r'class="col-participants_count"[^>]*>3<', "".join(page.split()))


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


# --- editing events and people, the sports catalogue ----------------------------------------


@pytest.fixture
def sports_seeded(app):
    from webapp.events.sports import seed_sports

    with app.app_context():
        seed_sports()
        db.session.commit()


def test_edit_goes_through_the_service_and_tells_people(
    app, admin_client, make_user, make_event, sports_seeded
):
    """Does the dashboard's edit form change the event through the service (a new place is
    told to the participant), refuse a capacity below the participants with a message, and
    audit before and after?"""
    from webapp.outbox import queued_for

    member = make_user()
    event_id = make_event(make_user(), "Match", joined=[member], location="Field 1", capacity=5)
    page = admin_client.get(f"/admin/events/{event_id}/participants").get_data(as_text=True)
    assert 'data-testid="event-form"' in page and 'value="Match"' in page
    form = {
        "title": "Match",
        "starts_at": (utcnow() + timedelta(days=8)).strftime("%Y-%m-%dT%H:%M"),
        "location": "Field 2",
        "capacity": "5",
        "fee": "150",
        "kind": "training",
        "sport": "football",
        "level": "advanced",
        "join_mode": "approval",
    }
    admin_client.post(f"/admin/events/{event_id}/edit", data=form)
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert (event.location, event.sport_key, event.fee) == ("Field 2", "football", 15000)
        assert len(queued_for(member.telegram_id)) == 1
    [entry] = audit_entries(app, "event.update")
    assert entry.before["location"] == "Field 1" and entry.after["location"] == "Field 2"
    low = admin_client.post(
        f"/admin/events/{event_id}/edit", data={**form, "capacity": "0"}, follow_redirects=True
    )
    assert low.status_code == 200 and len(audit_entries(app, "event.update")) == 1


def test_seat_remove_and_decide_from_the_dashboard(
    app, admin_client, make_user, make_event, sports_seeded
):
    """Do add and remove keep the capacity rule (a full event waitlists; a freed seat goes
    to the first waiting), do approve and reject work as for the organiser, and is each
    change audited with the person's status?"""
    from webapp.events.models import EventRequest, JoinMode, RequestStatus

    first, second, applicant = make_user(), make_user(), make_user()
    event_id = make_event(make_user(), "Small", joined=[first], capacity=1)
    admin_client.post(f"/admin/events/{event_id}/participants/add", data={"user_id": second.id})
    with app.app_context():
        assert events.person_status(event_id, second.id) == "waitlisted"
    admin_client.post(f"/admin/events/{event_id}/participants/{first.id}/remove")
    with app.app_context():
        assert events.person_status(event_id, first.id) == "none"
        assert events.person_status(event_id, second.id) == "joined"
        event = db.session.get(Event, event_id)
        event.join_mode = JoinMode.APPROVAL
        event.capacity = 3
        db.session.add(
            EventRequest(event_id=event_id, user_id=applicant.id, status=RequestStatus.PENDING)
        )
        db.session.commit()
    page = admin_client.get(f"/admin/events/{event_id}/participants").get_data(as_text=True)
    assert 'data-testid="applications"' in page
    admin_client.post(
        f"/admin/events/{event_id}/applications/{applicant.id}/reject", data={"reason": "No"}
    )
    with app.app_context():
        assert events.person_status(event_id, applicant.id) == "rejected"
    admin_client.post(f"/admin/events/{event_id}/applications/{applicant.id}/approve")
    with app.app_context():
        assert events.person_status(event_id, applicant.id) == "joined"
    [added] = audit_entries(app, "event.participant.add")
    assert added.before["status"] == "none" and added.after["status"] == "waitlisted"
    [removed] = audit_entries(app, "event.participant.remove")
    assert removed.before["status"] == "joined" and removed.after["status"] == "none"
    assert len(audit_entries(app, "event.application.reject")) == 1
    assert audit_entries(app, "event.application.approve")[0].after["status"] == "joined"


def test_cancel_from_the_dashboard(app, admin_client, make_user, make_event):
    """Does Cancel mark the event cancelled through the service, audited?"""
    event_id = make_event(make_user(), "Rainy", joined=[make_user()])
    admin_client.post(f"/admin/events/{event_id}/cancel")
    with app.app_context():
        assert db.session.get(Event, event_id).cancelled_at is not None
    [entry] = audit_entries(app, "event.cancel")
    assert entry.before["cancelled_at"] is None and entry.after["cancelled_at"] is not None


def test_sports_catalogue_add_rename_delete(
    app, admin_client, make_user, make_event, sports_seeded
):
    """Can an admin add and rename a sport, is deleting one in use refused with a message,
    and is an unused one deleted — each audited?"""
    from webapp.events.models import Sport

    page = admin_client.get("/admin/sports/").get_data(as_text=True)
    assert "Running" in page and 'data-testid="sport-form"' in page
    assert 'data-testid="delete-running"' in page
    admin_client.post(
        "/admin/sports/save", data={"key": "padel", "name_en": "Padel", "name_ru": "Падел"}
    )
    admin_client.post(
        "/admin/sports/save",
        data={"key": "running", "name_en": "Jogging", "name_ru": "Бег трусцой"},
    )
    make_event(make_user(), "Run", sport_key="running")
    refused = admin_client.post("/admin/sports/running/delete", follow_redirects=True)
    assert "cannot be deleted" in refused.get_data(as_text=True)
    admin_client.post("/admin/sports/padel/delete")
    with app.app_context():
        assert db.session.get(Sport, "padel") is None
        assert db.session.get(Sport, "running").name_en == "Jogging"
    saves = audit_entries(app, "sport.save")
    assert saves[0].before is None and saves[1].before["name_en"] == "Running"
    [deleted] = audit_entries(app, "sport.delete")
    assert deleted.after == {"deleted": True} and deleted.before["key"] == "padel"
    bad = admin_client.post(
        "/admin/sports/save", data={"key": "Bad Key", "name_en": "x", "name_ru": "x"}
    )
    assert bad.status_code == 302 and len(audit_entries(app, "sport.save")) == 2
