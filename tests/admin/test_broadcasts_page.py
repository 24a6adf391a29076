"""The broadcasts page of the dashboard: count, test, send, follow, cancel — the same rules
as `/api/admin/broadcasts` (the service), each change in the audit log."""

from __future__ import annotations

from sqlalchemy import select

from tests.admin.conftest import audit_entries, demote
from webapp.admin.broadcasts.models import Broadcast
from webapp.extensions import db
from webapp.outbox import MessageStatus, OutgoingMessage
from webapp.users.models import Role, User

PAGE = "/admin/broadcasts/"


def post(client, action: str, **fields):
    data = {"text": "<b>Hi</b>", "audience": "role", "role": "teacher", **fields}
    return client.post(PAGE, data={**data, "action": action}, follow_redirects=True)


def test_count_then_test_then_send(app, admin_client, make_user, dashboard_admin):
    """Does the page count the audience, send a test to the admin alone, then send to the
    audience and open the broadcast's report?"""
    teachers = [make_user(Role.TEACHER) for _ in range(3)]
    make_user(Role.STUDENT)
    with app.app_context():
        db.session.get(User, dashboard_admin.id).telegram_id = 5_555
        db.session.commit()

    counted = post(admin_client, "count").get_data(as_text=True)
    assert "It will reach 3 people." in counted

    tested = post(admin_client, "test").get_data(as_text=True)
    assert "A test was sent to your Telegram chat." in tested
    with app.app_context():
        assert db.session.scalars(select(OutgoingMessage.chat_id)).all() == [5_555]

    sent = post(admin_client, "send")
    html = sent.get_data(as_text=True)
    assert 'data-count="queued">3<' in html and 'data-count="recipients">3<' in html
    assert 'http-equiv="refresh"' in html  # follows itself while sending
    with app.app_context():
        chats = db.session.scalars(
            select(OutgoingMessage.chat_id).where(OutgoingMessage.broadcast_id.is_not(None))
        ).all()
    assert sorted(chats) == sorted(t.telegram_id for t in teachers)
    assert [e.action for e in audit_entries(app, "broadcast.send")] == ["broadcast.send"]
    listing = admin_client.get(PAGE).get_data(as_text=True)
    assert "data-broadcast=" in listing and "Sending" in listing


def test_bad_markup_and_a_missing_event_are_shown_not_sent(app, admin_client):
    """Are Telegram-refused markup and an unknown event flashed on the page, queueing nothing?"""
    html = post(admin_client, "send", text="1 < 2").get_data(as_text=True)
    assert "text:" in html and "&amp;lt;" in html
    html = post(admin_client, "send", audience="event", event_id="99999").get_data(as_text=True)
    assert "No such event." in html
    html = post(admin_client, "send", audience="event", event_id="x").get_data(as_text=True)
    assert "audience.event_id" in html
    with app.app_context():
        assert db.session.scalar(select(Broadcast.id)) is None


def test_cancel_from_the_report(app, admin_client, make_user):
    """Does the report's Cancel button withdraw the pending messages?"""
    make_user(Role.TEACHER)
    post(admin_client, "send")
    with app.app_context():
        broadcast_id = db.session.scalar(select(Broadcast.id))
    html = admin_client.post(f"{PAGE}{broadcast_id}/cancel", follow_redirects=True).get_data(
        as_text=True
    )
    assert "The broadcast was cancelled." in html and 'data-count="cancelled">1<' in html
    with app.app_context():
        assert db.session.scalars(select(OutgoingMessage.status)).all() == [MessageStatus.CANCELLED]


def test_a_demoted_admin_cannot_open_or_send(app, admin_client, dashboard_admin, make_user):
    """Is the page closed (403) to an admin demoted since signing in, for reading and sending?"""
    make_user(Role.TEACHER)
    demote(app, dashboard_admin)
    assert admin_client.get(PAGE).status_code == 403
    assert admin_client.post(PAGE, data={"text": "x", "action": "send"}).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(OutgoingMessage.id)) is None


def test_a_personal_message_from_the_users_page(app, admin_client, make_user):
    """Does "Write to this user" queue a Telegram-HTML message to that user's chat alone,
    log it (who wrote what) and show it in their history with its delivery status?"""
    user = make_user(Role.STUDENT, first_name="Vera")
    make_user(Role.STUDENT)
    page = f"/admin/users/manage/{user.id}"
    html = admin_client.post(
        f"{page}/message", data={"text": "Hello <b>Vera</b>"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Message queued." in html
    assert 'data-message-status="pending"' in html and "Hello Vera" in html
    with app.app_context():
        rows = db.session.execute(
            select(OutgoingMessage.chat_id, OutgoingMessage.text, OutgoingMessage.parse_mode)
        ).all()
    assert rows == [(user.telegram_id, "Hello <b>Vera</b>", "HTML")]
    [entry] = audit_entries(app, "user.message")
    assert (entry.target_id, entry.after) == (str(user.id), {"text": "Hello <b>Vera</b>"})
    assert "user.message" in admin_client.get(page).get_data(as_text=True)


def test_a_personal_message_telegram_would_refuse_is_not_queued(app, admin_client, make_user):
    """Is a message with broken markup, or to a user without a Telegram chat, refused with
    the reason on the page and nothing queued?"""
    user = make_user(Role.STUDENT)
    html = admin_client.post(
        f"/admin/users/manage/{user.id}/message", data={"text": "1 < 2"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "&amp;lt;" in html  # says how to write "<"
    nobody = make_user(Role.TEACHER, telegram_id=None, login="pw_only")
    html = admin_client.post(
        f"/admin/users/manage/{nobody.id}/message", data={"text": "hi"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "This user has no Telegram chat." in html
    with app.app_context():
        assert db.session.scalar(select(OutgoingMessage.id)) is None
