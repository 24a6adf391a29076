"""Event pages: lists, the event page with join/leave, the create and edit form."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import select

from tests.fixtures.users import headers_for
from webapp.core.start_param import start_param_url
from webapp.database import utcnow
from webapp.events.models import Event, JoinMode
from webapp.extensions import db

HX = {"HX-Request": "true"}


def test_list_full_page_fragment_and_tabs(client, make_event, student):
    """Is /events a full page, an HTMX fragment, and do the tabs show upcoming vs past?"""
    make_event(title="Coming up")
    make_event(title="Long ago", starts_at=utcnow() - timedelta(days=3))
    headers = headers_for(student)
    page = client.get("/events", headers=headers).get_data(as_text=True)
    assert "<html" in page and "Coming up" in page and "Long ago" not in page
    fragment = client.get("/events", headers={**headers, **HX}).get_data(as_text=True)
    assert "<html" not in fragment and "Coming up" in fragment
    past = client.get(
        "/events?tab=past", headers={**headers, **HX, "HX-Target": "event-list"}
    ).get_data(as_text=True)
    assert "Long ago" in past and "Coming up" not in past and "<h1" not in past


def test_event_page_join_and_leave(client, app, make_event, student):
    """Does the event page offer Join (as the MainButton), and do join/leave redraw the box?"""
    event_id = make_event(title="Party", capacity=2)
    headers = headers_for(student)
    page = client.get(f"/events/{event_id}", headers=headers).get_data(as_text=True)
    assert "<html" in page and "Party" in page and "data-main-button" in page
    joined = client.post(f"/events/{event_id}/join", headers={**headers, **HX})
    assert joined.status_code == 200
    assert "1 of 2" in joined.get_data(as_text=True) and "<html" not in joined.get_data(
        as_text=True
    )
    left = client.post(f"/events/{event_id}/leave", headers={**headers, **HX})
    assert "0 of 2" in left.get_data(as_text=True)


def test_join_full_event_from_page_waitlists(client, make_event, make_user):
    """Does the page offer the waitlist on a full event, and does joining put the viewer
    on it (number 1) with a way off it?"""
    event_id = make_event(capacity=1, participants=[make_user()])
    headers = {**headers_for(make_user()), **HX}
    page = client.get(f"/events/{event_id}", headers=headers).get_data(as_text=True)
    assert "Join the waitlist" in page
    answer = client.post(f"/events/{event_id}/join", headers=headers)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "number 1" in html and "Leave the waitlist" in html


def test_cancelled_or_started_event_from_page_shows_why(client, make_event, make_user):
    """Does joining a started event from the page answer 409 with the reason?"""
    event_id = make_event(starts_at=utcnow() - timedelta(minutes=5))
    answer = client.post(f"/events/{event_id}/join", headers={**headers_for(make_user()), **HX})
    assert answer.status_code == 409 and "started" in answer.get_data(as_text=True)


def test_apply_and_decide_from_the_pages(client, app, make_event, teacher, make_user):
    """On an approval event, does the page offer Apply with a message, show the applicant
    "waiting", and does the organiser's page list the application with Approve and Reject
    that work (the participant shown at once, then a contact link for the approved)?"""
    event_id = make_event(join_mode=JoinMode.APPROVAL, capacity=3)
    ann, bob = make_user(first_name="Ann"), make_user(first_name="Bob")
    ann_headers = {**headers_for(ann), **HX}
    page = client.get(f"/events/{event_id}", headers=ann_headers).get_data(as_text=True)
    assert 'id="apply-form"' in page and 'name="message"' in page
    applied = client.post(f"/events/{event_id}/join", data={"message": "Hi!"}, headers=ann_headers)
    assert "waiting for the organiser" in applied.get_data(as_text=True)
    client.post(f"/events/{event_id}/join", data={}, headers={**headers_for(bob), **HX})
    organiser = {**headers_for(teacher), **HX}
    view = client.get(f"/events/{event_id}", headers=organiser).get_data(as_text=True)
    assert f'id="approve-{ann.id}"' in view and "Hi!" in view
    approved = client.post(f"/events/{event_id}/applications/{ann.id}/approve", headers=organiser)
    html = approved.get_data(as_text=True)
    assert approved.status_code == 200 and f'id="approve-{ann.id}"' not in html
    assert "Ann" in html[html.index('id="participants"') :]
    rejected = client.post(
        f"/events/{event_id}/applications/{bob.id}/reject",
        data={"reason": "Full team"},
        headers=organiser,
    )
    assert rejected.status_code == 200 and "Application declined" in rejected.get_data(as_text=True)
    mine = client.get(f"/events/{event_id}", headers=ann_headers).get_data(as_text=True)
    assert 'id="organiser-contact"' in mine and f"tg://user?id={teacher.telegram_id}" in mine
    theirs = client.get(f"/events/{event_id}", headers={**headers_for(bob), **HX})
    assert "declined your application" in theirs.get_data(as_text=True)
    assert "Applications" not in theirs.get_data(as_text=True)


def test_start_param_opens_the_event(app, make_event):
    """Does `startapp=event_<id>` lead to the event page?"""
    event_id = make_event()
    with app.test_request_context():
        assert start_param_url(f"event_{event_id}") == f"/events/{event_id}"


def test_create_from_form(client, app, student):
    """Does the create form show errors inline (422) and then create and open the event?"""
    headers = {**headers_for(student), **HX}
    assert "<html" in client.get("/events/new", headers=headers_for(student)).get_data(as_text=True)
    bad = client.post(
        "/events/new", data={"title": "", "starts_at": "2001-01-01T10:00"}, headers=headers
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="error-title"' in html and "<html" not in html
    past = client.post(
        "/events/new", data={"title": "T", "starts_at": "2001-01-01T10:00"}, headers=headers
    )
    assert past.status_code == 422 and 'id="error-starts_at"' in past.get_data(as_text=True)
    made = client.post(
        "/events/new",
        data={
            "title": "Picnic",
            "starts_at": "2031-06-01T12:00",
            "capacity": "",
            "location": "Park",
        },
        headers=headers,
    )
    assert made.status_code == 204
    with app.app_context():
        event = db.session.scalars(select(Event)).one()
        assert event.capacity is None and event.starts_at.isoformat() == "2031-06-01T12:00:00+00:00"
    assert json.loads(made.headers["HX-Location"])["path"] == f"/events/{event.id}"


def test_edit_form_rights_and_capacity_conflict(client, make_event, teacher, make_user):
    """Is the edit form the creator's only, and is a too-low capacity shown inline?"""
    event_id = make_event(capacity=3, participants=[make_user(), make_user()])
    assert (
        client.get(f"/events/{event_id}/edit", headers=headers_for(make_user())).status_code == 403
    )
    headers = {**headers_for(teacher), **HX}
    assert 'name="capacity"' in client.get(f"/events/{event_id}/edit", headers=headers).get_data(
        as_text=True
    )
    data = {"title": "Renamed", "starts_at": "2031-06-01T12:00", "capacity": "1"}
    low = client.post(f"/events/{event_id}/edit", data=data, headers=headers)
    assert low.status_code == 422 and 'id="error-capacity"' in low.get_data(as_text=True)
    saved = client.post(f"/events/{event_id}/edit", data={**data, "capacity": "2"}, headers=headers)
    assert saved.status_code == 204 and "HX-Location" in saved.headers
    deleted = client.post(f"/events/{event_id}/delete", headers=headers)
    assert json.loads(deleted.headers["HX-Location"])["path"] == "/events"


def test_join_and_leave_redraw_the_participants(client, make_event, student):
    """After Join, does the participants list show the new participant at once (not
    "Nobody yet." until a reload), and after Leave lose them?"""
    event_id = make_event(title="Picnic")
    headers = {**headers_for(student), **HX}
    page = client.get(f"/events/{event_id}", headers=headers).get_data(as_text=True)
    assert "Nobody yet." in page
    joined = client.post(f"/events/{event_id}/join", headers=headers).get_data(as_text=True)
    participants = joined[joined.index('id="participants"') :]
    assert 'hx-swap-oob="true"' in participants and student.first_name in participants
    assert "Nobody yet." not in joined
    left = client.post(f"/events/{event_id}/leave", headers=headers).get_data(as_text=True)
    assert re.search(r'id="participants"\s+hx-swap-oob="true"', left) and "Nobody yet." in left


def test_form_takes_the_sports_fields_and_the_page_shows_them(client, app, teacher):
    """Does the form store sport, level, a fee in roubles, the city by name and coordinates,
    and does the event page show them with a map link? Is a bad fee shown next to `fee`?"""
    headers = {**headers_for(teacher), **HX}
    form = {
        "title": "Yoga in the park",
        "starts_at": "2031-06-01T08:00",
        "kind": "training",
        "sport": "yoga",
        "level": "beginner",
        "fee": "250,50",
        "city": "Казань",
        "location": "Gorky park",
        "latitude": "55.79",
        "longitude": "49.12",
        "join_mode": "approval",
    }
    bad = client.post("/events/new", data={**form, "fee": "lots"}, headers=headers)
    assert bad.status_code == 422 and 'id="error-fee"' in bad.get_data(as_text=True)
    made = client.post("/events/new", data=form, headers=headers)
    assert made.status_code == 204
    with app.app_context():
        event = db.session.scalars(select(Event)).one()
        assert (event.fee, event.sport_key, event.city_id) == (25050, "yoga", 551487)
    page = client.get(f"/events/{event.id}", headers=headers_for(teacher)).get_data(as_text=True)
    assert "Yoga" in page and "Beginner" in page and "Kazan" in page
    assert "openstreetmap.org/?mlat=55.790000" in page and "250.50" in page
    edit = client.get(f"/events/{event.id}/edit", headers=headers).get_data(as_text=True)
    assert 'value="250.50"' in edit and 'value="Kazan"' in edit


def test_chips_filter_and_my_events_tab(client, make_event, make_user):
    """Do the sport and kind chips keep only their events (and keep each other), and does
    the "My events" tab show what the viewer takes part in, applied to, or organises?"""
    me = make_user()
    run = make_event(title="Run club", sport_key="running", participants=[me])
    make_event(title="Yoga flow", sport_key="yoga")
    mine = make_event(title="My match", sport_key="football", creator=me)
    headers = {**headers_for(me), **HX, "HX-Target": "event-list"}

    def titles(query: str) -> str:
        return client.get(f"/events?{query}", headers=headers).get_data(as_text=True)

    running = titles("sport=running")
    assert "Run club" in running and "Yoga flow" not in running
    assert 'href="/events?tab=upcoming&amp;sport=running&amp;kind=training"' in running
    assert "Run club" not in titles("sport=running&kind=training")
    joined = titles("tab=mine")
    assert "Run club" in joined and "Yoga flow" not in joined and "My match" not in joined
    organised = titles("tab=mine&mine=created")
    assert "My match" in organised and "Run club" not in organised
    assert f'id="event-{mine}"' in organised and f'id="event-{run}"' not in organised
    assert "Yoga flow" in titles("sport=chess")  # an unknown chip value filters nothing


def test_series_from_the_form_then_join_all_and_cancel_one(client, app, make_user):
    """Does ticking weekdays on the form create a series (until the end of the chosen
    day), does "Join every session" join them all, can the participant turn reminders off,
    and can the organiser cancel one session from its page?"""
    coach = make_user(time_zone="Europe/Moscow")
    headers = {**headers_for(coach), **HX}
    form = {
        "title": "Track session",
        "starts_at": "2031-03-03T19:00",
        "weekdays": ["1", "3"],
        "until": "2031-03-12",
    }
    bad = client.post("/events/new", data={**form, "until": "2031-02-01"}, headers=headers)
    assert bad.status_code == 422 and 'id="error-until"' in bad.get_data(as_text=True)
    assert client.post("/events/new", data=form, headers=headers).status_code == 204
    with app.app_context():
        events = db.session.scalars(select(Event).order_by(Event.starts_at)).all()
        assert [e.starts_at.day for e in events] == [3, 5, 10, 12]
        ids = [e.id for e in events]
    ann = {**headers_for(make_user()), **HX}
    page = client.get(f"/events/{ids[0]}", headers=ann).get_data(as_text=True)
    assert 'id="join-series"' in page and 'id="event-series"' in page
    client.post(f"/events/{ids[0]}/join", data={"series": "1"}, headers=ann)
    statuses = [client.get(f"/api/events/{i}", headers=ann).get_json()["status"] for i in ids]
    assert statuses == ["joined"] * 4
    off = client.post(f"/events/{ids[1]}/reminders", data={"enabled": "0"}, headers=ann)
    assert 'id="reminders-on"' in off.get_data(as_text=True)
    assert client.get(f"/api/events/{ids[1]}", headers=ann).get_json()["reminders"] is False
    organiser_page = client.get(f"/events/{ids[2]}", headers=headers).get_data(as_text=True)
    assert 'id="event-cancel"' in organiser_page
    client.post(f"/events/{ids[2]}/cancel", headers=headers)
    cancelled = client.get(f"/events/{ids[2]}", headers=ann).get_data(as_text=True)
    assert "This event is cancelled." in cancelled
