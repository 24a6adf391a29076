"""Joins and reminders under concurrency, on a real PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from jobs.events import send_event_reminders
from tests.fixtures.app import app_with_tables
from tests.fixtures.services import concurrent_engine_options
from tests.fixtures.users import headers_for
from webapp.database import utcnow
from webapp.events.models import Event, EventRequest, JoinMode, Participant, RequestStatus
from webapp.extensions import db
from webapp.outbox import OutgoingMessage
from webapp.users.models import User

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(postgres_url):
    with app_with_tables(
        postgres_url, {"SQLALCHEMY_ENGINE_OPTIONS": concurrent_engine_options()}
    ) as app:
        yield app


def _users(app, count):
    with app.app_context():
        users = [User(telegram_id=900_000 + i, first_name=f"U{i}") for i in range(count)]
        db.session.add_all(users)
        db.session.commit()
        for user in users:
            db.session.refresh(user)
            db.session.expunge(user)
        return users


def _event(app, creator, **fields):
    with app.app_context():
        event = Event(creator_id=creator.id, title="E", participants_count=0, **fields)
        db.session.add(event)
        db.session.commit()
        return event.id


def _statuses(app, event_id):
    """(participants' user ids, waitlisted user ids in waitlist order, positions)."""
    with app.app_context():
        joined = set(
            db.session.scalars(select(Participant.user_id).where(Participant.event_id == event_id))
        )
        waiting = db.session.execute(
            select(EventRequest.user_id, EventRequest.position)
            .where(
                EventRequest.event_id == event_id,
                EventRequest.status == RequestStatus.WAITLISTED,
            )
            .order_by(EventRequest.position)
        ).all()
        event = db.session.get(Event, event_id)
        assert event is not None and event.participants_count == len(joined)
        return joined, [row.user_id for row in waiting], [row.position for row in waiting]


def test_thirty_joins_fill_five_seats_exactly(pg_app):
    """Do 30 simultaneous joins of a 5-seat event leave exactly 5 participants and the
    other 25 on the waitlist, each with its own place?"""
    users = _users(pg_app, 30)
    event_id = _event(pg_app, users[0], capacity=5, starts_at=utcnow() + timedelta(days=1))
    barrier = threading.Barrier(30)

    def join(user):
        client = pg_app.test_client()
        headers = headers_for(user)
        barrier.wait()
        answer = client.post(f"/api/events/{event_id}/join", headers=headers)
        return answer.status_code, answer.get_json()["status"]

    with ThreadPoolExecutor(max_workers=30) as pool:
        answers = list(pool.map(join, users))
    assert {code for code, _status in answers} == {201}
    assert sorted(status for _code, status in answers) == ["joined"] * 5 + ["waitlisted"] * 25
    joined, waiting, positions = _statuses(pg_app, event_id)
    assert len(joined) == 5 and len(waiting) == 25 and positions == list(range(1, 26))


def test_thirty_applications_and_approvals_fill_five_seats_in_order(pg_app):
    """Do 30 people applying to a 5-seat approval event while the organiser approves each
    at once leave exactly 5 participants and 25 waitlisted, each with its own place (1 to
    25), with one decision message each? (Sixty HTTP calls from 30 threads on PostgreSQL:
    about 3 s.) Then, when 3 leave at once, do exactly the first 3 of
    the waitlist take the seats, each told once?"""
    organiser, *users = _users(pg_app, 31)
    event_id = _event(
        pg_app,
        organiser,
        capacity=5,
        join_mode=JoinMode.APPROVAL,
        starts_at=utcnow() + timedelta(days=1),
    )
    barrier = threading.Barrier(30)

    def apply_and_approve(user):
        client = pg_app.test_client()
        barrier.wait()
        applied = client.post(
            f"/api/events/{event_id}/join", json={"message": "hi"}, headers=headers_for(user)
        )
        assert applied.status_code == 202 and applied.get_json()["status"] == "pending"
        decided = client.post(
            f"/api/events/{event_id}/applications/{user.id}/approve",
            headers=headers_for(organiser),
        )
        return decided.get_json()["status"]

    with ThreadPoolExecutor(max_workers=30) as pool:
        statuses = list(pool.map(apply_and_approve, users))
    assert sorted(statuses) == ["joined"] * 5 + ["waitlisted"] * 25
    joined, waiting, positions = _statuses(pg_app, event_id)
    assert len(joined) == 5 and positions == list(range(1, 26))
    with pg_app.app_context():
        keys = db.session.scalars(select(OutgoingMessage.dedupe_key)).all()
    assert sum(k.startswith("event-application:") for k in keys) == 30
    assert sum(k.endswith(":approved") for k in keys) == 5
    assert sum(k.endswith(":waitlisted") for k in keys) == 25

    leavers = [user for user in users if user.id in joined][:3]
    barrier3 = threading.Barrier(3)

    def leave(user):
        client = pg_app.test_client()
        barrier3.wait()
        return client.delete(f"/api/events/{event_id}/join", headers=headers_for(user)).status_code

    with ThreadPoolExecutor(max_workers=3) as pool:
        assert list(pool.map(leave, leavers)) == [200, 200, 200]
    now_joined, now_waiting, _positions = _statuses(pg_app, event_id)
    assert now_joined == (joined - {u.id for u in leavers}) | set(waiting[:3])
    assert now_waiting == waiting[3:]
    with pg_app.app_context():
        seats = db.session.scalars(
            select(OutgoingMessage.chat_id).where(OutgoingMessage.dedupe_key.like("event-seat:%"))
        ).all()
        promoted = {u.telegram_id for u in users if u.id in waiting[:3]}
    assert sorted(seats) == sorted(promoted)


def test_one_user_joining_many_times_at_once_counts_once(pg_app):
    """Does one user's burst of simultaneous joins take one seat, not several?"""
    (user, *_rest) = _users(pg_app, 1)
    event_id = _event(pg_app, user, capacity=3, starts_at=utcnow() + timedelta(days=1))
    barrier = threading.Barrier(10)

    def join(_):
        client = pg_app.test_client()
        headers = headers_for(user)
        barrier.wait()
        return client.post(f"/api/events/{event_id}/join", headers=headers).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        codes = list(pool.map(join, range(10)))
    assert codes.count(201) == 1 and set(codes) <= {200, 201}
    with pg_app.app_context():
        assert db.session.get(Event, event_id).participants_count == 1


def test_two_workers_queue_each_reminder_once(pg_app):
    """With two workers running the reminder job at once, is each reminder queued once?"""
    users = _users(pg_app, 20)
    now = utcnow()
    soon = _event(pg_app, users[0], starts_at=now + timedelta(minutes=30))
    tomorrow = _event(pg_app, users[0], starts_at=now + timedelta(hours=20))
    with pg_app.app_context():
        for event_id in (soon, tomorrow):
            for user in users:
                db.session.add(
                    Participant(
                        event_id=event_id, user_id=user.id, joined_at=now - timedelta(days=2)
                    )
                )
        db.session.commit()
    barrier = threading.Barrier(2)

    def worker(_):
        with pg_app.app_context():
            barrier.wait()
            return send_event_reminders()

    with ThreadPoolExecutor(max_workers=2) as pool:
        queued = list(pool.map(worker, range(2)))
    assert sum(queued) == 40
    with pg_app.app_context():
        keys = db.session.scalars(select(OutgoingMessage.dedupe_key)).all()
    assert len(keys) == len(set(keys)) == 40
    assert {k.rsplit(":", 1)[1] for k in keys if k.startswith(f"event-reminder:{soon}:")} == {"1h"}
    assert {k.rsplit(":", 1)[1] for k in keys if k.startswith(f"event-reminder:{tomorrow}:")} == {
        "24h"
    }
    with pg_app.app_context():
        assert send_event_reminders() == 0


@pytest.fixture
def pg_bot_app(postgres_url, fake_telegram):
    from tests.fixtures.fake_telegram import bot_overrides

    overrides = {
        **bot_overrides(fake_telegram),
        "BOT_DELIVERY": "off",
        "SQLALCHEMY_ENGINE_OPTIONS": concurrent_engine_options(),
    }
    with app_with_tables(postgres_url, overrides) as app:
        yield app


def test_simultaneous_presses_and_cancels_message_once(pg_bot_app):
    """With the organiser pressing Approve several times at once (separate updates, and one
    update delivered twice), is the applicant seated once and told once? And when the
    organiser cancels from two devices at once, is each person told once?"""
    from tests.fixtures.fake_telegram import webhook_headers

    app = pg_bot_app
    organiser, applicant, member = _users(app, 3)
    event_id = _event(
        app,
        organiser,
        capacity=5,
        join_mode=JoinMode.APPROVAL,
        starts_at=utcnow() + timedelta(days=1),
    )
    client = app.test_client()
    assert (
        client.post(f"/api/events/{event_id}/join", headers=headers_for(applicant)).status_code
        == 202
    )
    assert (
        client.post(f"/api/events/{event_id}/join", headers=headers_for(member)).status_code == 202
    )
    client.post(
        f"/api/events/{event_id}/applications/{member.id}/approve",
        headers=headers_for(organiser),
    )
    update_ids = [97_001, 97_002, 97_003, 97_004, 97_004, 97_005]
    barrier = threading.Barrier(len(update_ids))

    def press(update_id):
        update = {
            "update_id": update_id,
            "callback_query": {
                "id": f"q{update_id}",
                "from": {"id": organiser.telegram_id, "is_bot": False, "first_name": "O"},
                "chat_instance": "c",
                "data": f"event:approve:{event_id}:{applicant.id}",
            },
        }
        barrier.wait()
        return (
            app.test_client()
            .post("/telegram/webhook", json=update, headers=webhook_headers(app))
            .status_code
        )

    with ThreadPoolExecutor(max_workers=len(update_ids)) as pool:
        assert set(pool.map(press, update_ids)) == {200}
    with app.app_context():
        decisions = db.session.scalars(
            select(OutgoingMessage.chat_id).where(
                OutgoingMessage.dedupe_key.like("event-decision:%")
            )
        ).all()
        assert sorted(decisions) == sorted([applicant.telegram_id, member.telegram_id])
        event = db.session.get(Event, event_id)
        assert event is not None and event.participants_count == 2

    cancel_barrier = threading.Barrier(4)

    def cancel(_):
        cancel_barrier.wait()
        return (
            app.test_client()
            .post(f"/api/events/{event_id}/cancel", headers=headers_for(organiser))
            .status_code
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert set(pool.map(cancel, range(4))) == {200}
    with app.app_context():
        told = db.session.scalars(
            select(OutgoingMessage.chat_id).where(OutgoingMessage.dedupe_key.like("event-change:%"))
        ).all()
    assert sorted(told) == sorted([applicant.telegram_id, member.telegram_id])
