"""Local time: the page reports the browser's time zone at sign-in; pages show and accept
times in it, formatted for the user's language; bot reminders say the local time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from tests.fixtures.users import headers_for, tma_headers
from webapp.events import services as events
from webapp.events.models import Event, Participant
from webapp.extensions import db
from webapp.i18n import local_date, local_datetime, local_time, relative_time
from webapp.outbox import queued_for
from webapp.tasks.models import Task
from webapp.users.models import User

HX = {"HX-Request": "true"}
MOSCOW = "Europe/Moscow"  # UTC+3 all year


def stored_zone(app: Flask, telegram_id: int) -> str | None:
    with app.app_context():
        user = db.session.scalars(db.select(User).filter_by(telegram_id=telegram_id)).one()
        return user.time_zone


def test_sign_in_stores_the_browsers_time_zone(app, client):
    """Does the shell's sign-in store the IANA zone it sends, and ignore an unknown one?"""
    raw = tma_headers(40_404)["Authorization"][4:]
    session = {"X-Telegram-Init-Data": raw}
    assert (
        client.post("/auth/session", data={"time_zone": MOSCOW}, headers=session).status_code == 200
    )
    assert stored_zone(app, 40_404) == MOSCOW
    client.post("/auth/session", data={"time_zone": "Mars/Olympus"}, headers=session)
    assert stored_zone(app, 40_404) == MOSCOW


def test_shell_sends_the_time_zone_at_sign_in():
    """Does the page's script send `Intl`'s time zone with the sign-in?"""
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "webapp/static/js/app.js").read_text()
    assert "resolvedOptions().timeZone" in script and "time_zone:" in script


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "Jun 1, 2031, 8:00\u202fAM"), ("ru", "1 июн. 2031\u202fг., 08:00")],  # noqa: RUF001
)
def test_pages_show_local_time_in_the_users_language(app, client, make_user, language, shown):
    """Is a task due at 05:00 UTC shown as 08:00 to a Moscow user, formatted for their
    language, with no "UTC" on the page?"""
    user = make_user(language_code=language, time_zone=MOSCOW)
    with app.app_context():
        due = datetime(2031, 6, 1, 5, 0, tzinfo=UTC)
        db.session.add(Task(owner_id=user.id, title="1", due_at=due))
        db.session.commit()
    page = client.get("/tasks", headers=headers_for(user)).get_data(as_text=True)
    assert shown in page and "UTC" not in page


def test_forms_read_and_show_local_time(app, client, make_user):
    """Is a time typed into the event form read in the user's zone, and shown back in it?"""
    user = make_user(role="teacher", time_zone=MOSCOW)
    data = {"title": "1", "starts_at": "2031-06-01T12:00", "location": "", "capacity": ""}
    made = client.post("/events/new", data=data, headers={**headers_for(user), **HX})
    assert made.status_code == 204
    with app.app_context():
        event = db.session.scalars(db.select(Event)).one()
        assert event.starts_at == datetime(2031, 6, 1, 9, 0, tzinfo=UTC)
        event_id = event.id
    form = client.get(f"/events/{event_id}/edit", headers=headers_for(user)).get_data(as_text=True)
    assert 'value="2031-06-01T12:00"' in form


def test_reminder_says_the_local_time(app, make_user):
    """Does an event reminder give the start in the participant's own zone (no "UTC")?"""
    user = make_user(language_code="en", time_zone=MOSCOW)
    starts = (datetime.now(UTC) + timedelta(minutes=40)).replace(second=0, microsecond=0)
    with app.app_context():
        event = Event(creator_id=user.id, title="1", starts_at=starts, participants_count=1)
        db.session.add(event)
        db.session.flush()
        db.session.add(Participant(event_id=event.id, user_id=user.id, joined_at=datetime.now(UTC)))
        db.session.commit()
    with app.app_context():
        events.queue_reminders()
        db.session.commit()
        (message,) = queued_for(user.telegram_id)
    local = starts.astimezone(ZoneInfo(MOSCOW))
    assert local.strftime("%-I:%M\u202f%p") in message.text and "UTC" not in message.text


def test_one_format_per_kind(app):
    """Do the shared formats give a date, a time, both, and a relative time per language?"""
    moment = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    now = moment - timedelta(minutes=15)
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        assert local_date(moment) == "2 дек. 2026\u202fг."  # noqa: RUF001
        assert local_time(moment) == "08:00"
        assert local_datetime(moment) == "2 дек. 2026\u202fг., 08:00"  # noqa: RUF001
        assert relative_time(moment, now) == "через 15 минут"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert local_datetime(moment) == "Dec 2, 2026, 8:00\u202fAM"
        assert relative_time(moment, now) == "in 15 minutes"


@pytest.mark.parametrize(
    ("language", "phrase"),
    [("en", "1 problem waits for a decision."), ("ru", "1 задача ждёт решения.")],
)
def test_counts_take_the_plural_of_their_number(app, client, make_user, language, phrase):
    """Is "1 problems wait for a decision" said with the right plural form (`ngettext`)?"""
    from webapp.problems import services as problems
    from webapp.problems.models import ProblemStatus

    moderator = make_user(role="admin", language_code=language)  # admins write and moderate
    with app.app_context():
        author = db.session.get(User, moderator.id)
        data = problems.ProblemData(title="1", statement="1", answer="1", topic="1", difficulty=2)
        problems.create_problem(author, data).status = ProblemStatus.PENDING
        db.session.commit()
    page = client.get("/problems/moderation", headers=headers_for(moderator))
    assert phrase in page.get_data(as_text=True)


def test_json_type_errors_speak_russian(client, make_user):
    """Is the API's "wrong JSON type" field error said in the user's language?"""
    russian = make_user(language_code="ru")
    answer = client.post("/api/tasks", json={"title": 5}, headers=headers_for(russian))
    assert answer.status_code == 422
    assert answer.get_json()["errors"][0]["message"] == "Неверный тип JSON: нужно текст."


def sign_in_from(client, telegram_id: int, zone: str) -> None:
    raw = tma_headers(telegram_id)["Authorization"][4:]
    answer = client.post(
        "/auth/session", data={"time_zone": zone}, headers={"X-Telegram-Init-Data": raw}
    )
    assert answer.status_code == 200


def test_a_chosen_time_zone_stays_until_automatic_again(app, client):
    """After the user picks Vladivostok on /me, does a device reporting Moscow at sign-in
    leave it, and after choosing "automatic" does the device's report count again?"""
    sign_in_from(client, 40_500, MOSCOW)
    chose = client.post("/me/time-zone", data={"time_zone": "Asia/Vladivostok"}, headers=HX)
    assert chose.status_code == 200
    assert 'value="Asia/Vladivostok" selected' in chose.get_data(as_text=True)
    sign_in_from(client, 40_500, MOSCOW)
    assert stored_zone(app, 40_500) == "Asia/Vladivostok"
    assert client.post("/me/time-zone", data={"time_zone": "auto"}, headers=HX).status_code == 200
    sign_in_from(client, 40_500, MOSCOW)
    assert stored_zone(app, 40_500) == MOSCOW


def test_an_unknown_time_zone_is_refused_and_nothing_changes(app, client, make_user):
    """Is a zone that is not an IANA name refused with the field's message, on the page
    (422, the section redrawn) and in the API (422 naming `time_zone`), the stored zone
    kept?"""
    user = make_user(time_zone=MOSCOW)
    headers = {**headers_for(user), **HX}
    page = client.post("/me/time-zone", data={"time_zone": "Mars/Olympus"}, headers=headers)
    assert page.status_code == 422
    assert "Choose a time zone from the list." in page.get_data(as_text=True)
    answer = client.put(
        f"/api/users/{user.id}", json={"time_zone": "Mars/Olympus"}, headers=headers_for(user)
    )
    assert answer.status_code == 422
    assert [e["field"] for e in answer.get_json()["errors"]] == ["time_zone"]
    with app.app_context():
        assert db.session.get(User, user.id).time_zone == MOSCOW


def test_the_api_chooses_a_zone_and_says_so(client, make_user):
    """Does `PUT /api/users/<id>` keep a chosen zone and `UserOut` show it as chosen?"""
    user = make_user(time_zone=MOSCOW)
    answer = client.put(
        f"/api/users/{user.id}", json={"time_zone": "Asia/Omsk"}, headers=headers_for(user)
    )
    assert answer.status_code == 200
    assert (answer.get_json()["time_zone"], answer.get_json()["time_zone_chosen"]) == (
        "Asia/Omsk",
        True,
    )


@pytest.mark.parametrize(
    ("language", "label"), [("ru", "Владивосток (+10:00)"), ("en", "Vladivostok (+10:00)")]
)
def test_me_offers_time_zones_in_the_users_language(client, make_user, language, label):
    """Does /me offer the zones by city in the user's language with their offset, and
    "automatic" while the user has chosen none?"""
    user = make_user(language_code=language, time_zone=MOSCOW)
    html = client.get("/me", headers=headers_for(user)).get_data(as_text=True)
    assert label in html
    assert 'value="auto" selected' in html


@pytest.mark.parametrize("language", ["en", "ru"])
def test_local_formats_are_babels_own(app, language):
    """Do the date, time and date-and-time a list prints on every row (formatted with the
    locale's patterns directly, not through `babel.dates.format_*` each time) read exactly
    as Babel's own functions write them, across zones and a day's every quarter hour?"""
    import babel.dates
    from flask_babel import get_locale

    zones = [UTC, ZoneInfo(MOSCOW), ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")]
    start = datetime(2026, 3, 28, tzinfo=UTC)  # around the clocks' spring change
    with app.test_request_context("/", headers={"Accept-Language": language}):
        locale = get_locale()
        for step in range(0, 4 * 24 * 3):
            moment = start + timedelta(minutes=15 * step)
            zone = zones[step % len(zones)]
            shown = moment.astimezone(zone)
            day = babel.dates.format_date(shown, "medium", locale=locale)
            clock = babel.dates.format_time(shown, "short", locale=locale)
            both = str(locale.datetime_formats["medium"]).replace("{1}", day).replace("{0}", clock)
            assert (local_date(moment, zone), local_time(moment, zone)) == (day, clock)
            assert local_datetime(moment, zone) == both
