"""Reminders: who gets which reminder, when, and only once."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

from jobs.events import send_event_reminders
from jobs.schedule import PERIODIC_JOBS
from webapp.database import utcnow
from webapp.events import services
from webapp.events.models import Participant
from webapp.extensions import db
from webapp.outbox import queued_for


def run(app, now=None):
    with app.app_context():
        count = services.queue_reminders(now)
        db.session.commit()
        return count


def keys_for(app, user):
    with app.app_context():
        return [m.dedupe_key for m in queued_for(user.telegram_id)]


def test_24h_window(app, make_event, make_user):
    """Is the 24 h reminder queued inside the last day and not before it?"""
    user = make_user()
    event_id = make_event(starts_at=utcnow() + timedelta(hours=25), participants=[user])
    assert run(app) == 0
    assert run(app, utcnow() + timedelta(hours=2)) == 1
    assert keys_for(app, user) == [f"event-reminder:{event_id}:{user.id}:24h"]


def test_1h_window_and_once_only(app, make_event, make_user):
    """Is the 1 h reminder queued within the last hour, once however often the job runs?"""
    user = make_user()
    event_id = make_event(starts_at=utcnow() + timedelta(minutes=50), participants=[user])
    assert run(app) == 1
    assert run(app) == 0
    with app.app_context():
        assert send_event_reminders() == 0
    assert keys_for(app, user) == [f"event-reminder:{event_id}:{user.id}:1h"]


def test_both_reminders_over_time(app, make_event, make_user):
    """Does a participant get exactly the 24 h and then the 1 h reminder?"""
    user = make_user()
    starts = utcnow() + timedelta(hours=30)
    make_event(starts_at=starts, participants=[user])
    for hours_before in (29, 23, 12, 2, 0.9, 0.5, 0.1):
        run(app, starts - timedelta(hours=hours_before))
    assert [k.rsplit(":", 1)[1] for k in keys_for(app, user)] == ["24h", "1h"]


def test_no_24h_reminder_when_less_than_an_hour_away(app, make_event, make_user):
    """Is the 24 h reminder skipped when the first run is already inside the last hour?"""
    user = make_user()
    make_event(starts_at=utcnow() + timedelta(minutes=30), participants=[user])
    run(app)
    assert [k.rsplit(":", 1)[1] for k in keys_for(app, user)] == ["1h"]


def test_late_joiner_gets_only_the_1h_reminder(app, make_event, make_user):
    """Does someone who joined inside the last day get the 1 h reminder but not the 24 h?"""
    early, late = make_user(), make_user()
    starts = utcnow() + timedelta(hours=10)
    event_id = make_event(starts_at=starts, participants=[early])
    with app.app_context():
        db.session.add(
            Participant(event_id=event_id, user_id=late.id, joined_at=starts - timedelta(hours=12))
        )
        db.session.commit()
    run(app)
    assert [k.rsplit(":", 1)[1] for k in keys_for(app, early)] == ["24h"]
    assert keys_for(app, late) == []
    run(app, starts - timedelta(minutes=30))
    assert [k.rsplit(":", 1)[1] for k in keys_for(app, late)] == ["1h"]


def test_no_reminder_without_telegram_or_after_start(app, make_event, make_user):
    """Are users without a Telegram chat, and started events, left alone?"""
    web_only = make_user(telegram_id=None, login="web")
    user = make_user()
    make_event(starts_at=utcnow() + timedelta(minutes=20), participants=[web_only])
    make_event(starts_at=utcnow() - timedelta(minutes=5), participants=[user])
    assert run(app) == 0


def test_message_text_and_button(app, make_event, make_user):
    """Does the reminder name the event, speak the user's language and open the event?"""
    user = make_user(language_code="ru")
    event_id = make_event(
        title="Концерт",
        location="Зал",
        starts_at=utcnow() + timedelta(minutes=40),
        participants=[user],
    )
    run(app)
    with app.app_context():
        (message,) = queued_for(user.telegram_id)
        assert "Концерт" in message.text and "Зал" in message.text
        assert "Напоминание" in message.text
        button = message.reply_markup["inline_keyboard"][0][0]
        assert button["web_app"]["url"].endswith(f"startapp=event_{event_id}")


def test_reminder_job_is_scheduled():
    """Is the reminder job on the periodic schedule, pointing at a real function?"""
    (job,) = [j for j in PERIODIC_JOBS if j.func == "jobs.events.send_event_reminders"]
    module, name = job.func.rsplit(".", 1)
    assert getattr(import_module(module), name) is send_event_reminders
    assert job.every <= timedelta(minutes=10)
