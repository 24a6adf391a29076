"""Changes reach people: a new time or place, or a cancellation, is told once to everyone
in or applying; reminders can be turned off per event."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.fixtures.users import headers_for
from webapp.database import utcnow
from webapp.events import services
from webapp.events.models import EventRequest, JoinMode, RequestStatus
from webapp.extensions import db
from webapp.outbox import OutgoingMessage, queued_for


def texts(app, user) -> list[str]:
    with app.app_context():
        return [m.text for m in queued_for(user.telegram_id)]


def change_keys(app) -> list[str]:
    with app.app_context():
        return sorted(
            db.session.scalars(
                select(OutgoingMessage.dedupe_key).where(
                    OutgoingMessage.dedupe_key.like("event-change:%")
                )
            )
        )


@pytest.fixture
def crowd(app, make_event, make_user, teacher):
    """An approval event with two participants, one pending, one waitlisted, one declined."""
    joined = [make_user(), make_user()]
    pending, waiting, declined = make_user(), make_user(), make_user()
    event_id = make_event(
        join_mode=JoinMode.APPROVAL, capacity=2, participants=joined, location="Hall A"
    )
    with app.app_context():
        for person, status in (
            (pending, RequestStatus.PENDING),
            (waiting, RequestStatus.WAITLISTED),
            (declined, RequestStatus.REJECTED),
        ):
            db.session.add(EventRequest(event_id=event_id, user_id=person.id, status=status))
        db.session.commit()
    return event_id, [*joined, pending, waiting], declined


def test_a_move_is_told_once_per_change(app, client, crowd, teacher):
    """Does a new time or place message each participant and applicant once (not the
    declined), a change of the title alone message nobody, and a second move message them
    again?"""
    event_id, told, declined = crowd
    organiser = headers_for(teacher)
    new_time = (utcnow() + timedelta(days=5)).replace(microsecond=0).isoformat()
    client.patch(f"/api/events/{event_id}", json={"starts_at": new_time}, headers=organiser)
    client.patch(f"/api/events/{event_id}", json={"title": "Renamed"}, headers=organiser)
    client.patch(f"/api/events/{event_id}", json={"location": "Hall A"}, headers=organiser)
    assert len(change_keys(app)) == 4
    assert all("has changed" in texts(app, person)[0] for person in told)
    assert texts(app, declined) == []
    client.patch(f"/api/events/{event_id}", json={"location": "Hall B"}, headers=organiser)
    keys = change_keys(app)
    assert len(keys) == 8 and len(set(keys)) == 8
    assert "Hall B" in texts(app, told[0])[-1]


def test_cancel_is_told_once_and_closes_the_event(app, client, crowd, teacher, make_user):
    """Does cancelling tell everyone in or applying once (again: no new message), mark the
    event cancelled, refuse joins (409) and stop its reminders?"""
    event_id, told, _declined = crowd
    organiser = headers_for(teacher)
    other = client.post(f"/api/events/{event_id}/cancel", headers=headers_for(told[0]))
    assert other.status_code == 403
    cancelled = client.post(f"/api/events/{event_id}/cancel", headers=organiser)
    assert cancelled.status_code == 200 and cancelled.get_json()["cancelled"] is True
    client.post(f"/api/events/{event_id}/cancel", headers=organiser)
    assert len(change_keys(app)) == 4
    assert "cancelled" in texts(app, told[2])[0]
    refused = client.post(f"/api/events/{event_id}/join", headers=headers_for(make_user()))
    assert refused.status_code == 409 and refused.get_json()["reason"] == "cancelled"
    with app.app_context():
        assert services.queue_reminders(utcnow() + timedelta(days=3) - timedelta(minutes=30)) == 0


def test_delete_tells_everyone_it_is_cancelled(app, client, crowd, teacher):
    """Does deleting an event still to come tell everyone in or applying, once?"""
    event_id, told, declined = crowd
    assert client.delete(f"/api/events/{event_id}", headers=headers_for(teacher)).status_code == 204
    assert all(len(texts(app, person)) == 1 for person in told) and texts(app, declined) == []


def test_reminders_off_per_participant(app, client, make_event, make_user):
    """Does `PUT /reminders {"enabled": false}` stop this participant's reminders of this
    event only (others still get theirs), and turning them on again restore them? Is it 409
    for someone not in, and 422 for a non-boolean?"""
    quiet, loud = make_user(), make_user()
    event_id = make_event(starts_at=utcnow() + timedelta(minutes=50), participants=[quiet, loud])
    answer = client.put(
        f"/api/events/{event_id}/reminders", json={"enabled": False}, headers=headers_for(quiet)
    )
    assert answer.status_code == 200 and answer.get_json() == {"enabled": False}
    event = client.get(f"/api/events/{event_id}", headers=headers_for(quiet)).get_json()
    assert event["reminders"] is False
    with app.app_context():
        assert services.queue_reminders() == 1
        db.session.commit()
    assert texts(app, quiet) == [] and len(texts(app, loud)) == 1
    client.put(
        f"/api/events/{event_id}/reminders", json={"enabled": True}, headers=headers_for(quiet)
    )
    with app.app_context():
        assert services.queue_reminders() == 1
        db.session.commit()
    assert len(texts(app, quiet)) == 1
    stranger = client.put(
        f"/api/events/{event_id}/reminders",
        json={"enabled": False},
        headers=headers_for(make_user()),
    )
    assert stranger.status_code == 409
    bad = client.put(
        f"/api/events/{event_id}/reminders", json={"enabled": "no"}, headers=headers_for(quiet)
    )
    assert bad.status_code == 422


def test_one_occurrence_cancelled_alone(client, make_user):
    """Does cancelling one occurrence of a series leave the others open?"""
    coach = make_user(time_zone="Europe/Moscow")
    body = {
        "title": "Swim",
        "starts_at": "2031-03-03T16:00:00Z",
        "repeat": {"weekdays": [1], "until": "2031-03-20T00:00:00Z"},
    }
    first = client.post("/api/events", json=body, headers=headers_for(coach)).get_json()
    listed = client.get(
        f"/api/events?series_id={first['series_id']}", headers=headers_for(coach)
    ).get_json()["items"]
    client.post(f"/api/events/{listed[1]['id']}/cancel", headers=headers_for(coach))
    after = client.get(
        f"/api/events?series_id={first['series_id']}", headers=headers_for(coach)
    ).get_json()["items"]
    assert [item["cancelled"] for item in after] == [False, True, False]
