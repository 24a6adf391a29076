"""Calendar files (issue 11): one event's `.ics`, the personal feed at a secret URL that
can be reset, and the "Add to calendar" button. Every file is read back with `icalendar`,
as a calendar client would read it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from tests.fixtures.users import headers_for
from webapp.database import utcnow
from webapp.events.models import Event
from webapp.extensions import db

# 15:00 UTC is 18:00 in Moscow (UTC+3, no daylight saving).
STARTS = datetime(2030, 6, 14, 15, 0, tzinfo=UTC)


def parse(answer) -> icalendar.Calendar:
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.mimetype == "text/calendar"
    return icalendar.Calendar.from_ical(answer.get_data())


def vevents(calendar: icalendar.Calendar) -> list[icalendar.Event]:
    return list(calendar.walk("VEVENT"))


def test_one_event_as_ics(client, student, make_event):
    """Does `GET /api/events/<id>.ics` give one VEVENT with the title, place, description,
    the Mini App link, and a start that a Moscow phone shows at 18:00?"""
    event_id = make_event(
        title="Morning run", starts_at=STARTS, location="Gorky Park", description="Bring water"
    )
    calendar = parse(client.get(f"/api/events/{event_id}.ics", headers=headers_for(student)))
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    [entry] = vevents(calendar)
    assert str(entry["SUMMARY"]) == "Morning run"
    assert str(entry["LOCATION"]) == "Gorky Park"
    link = f"https://hub.example/?startapp=event_{event_id}"
    assert str(entry["URL"]) == link
    assert "Bring water" in str(entry["DESCRIPTION"]) and link in str(entry["DESCRIPTION"])
    start = entry.decoded("DTSTART")
    assert start == STARTS and start.utcoffset() == timedelta(0)
    assert start.astimezone(ZoneInfo("Europe/Moscow")).hour == 18
    assert entry.decoded("DTEND") - start == timedelta(hours=1)
    assert str(entry["UID"]) == f"event-{event_id}@hub.example"


def test_event_ics_is_written_in_utc(client, student, make_event):
    """Is the start written as UTC (`…T150000Z`), which every client shows in its own zone,
    not as a floating local time?"""
    event_id = make_event(starts_at=STARTS)
    text = client.get(f"/api/events/{event_id}.ics", headers=headers_for(student)).get_data(True)
    assert re.search(r"^DTSTART:20300614T150000Z\r$", text, re.M)


def test_event_ics_needs_sign_in_or_the_signed_key(client, make_event):
    """Is the .ics refused without credentials, opened with the key from the event page,
    and refused with a key made for another event?"""
    event_id = make_event(starts_at=STARTS)
    other_id = make_event(starts_at=STARTS)
    assert client.get(f"/api/events/{event_id}.ics").status_code == 401
    with client.application.test_request_context():
        from webapp.events.calendar import signed_event_key

        key, other_key = signed_event_key(event_id), signed_event_key(other_id)
    assert len(vevents(parse(client.get(f"/api/events/{event_id}.ics?key={key}")))) == 1
    assert client.get(f"/api/events/{event_id}.ics?key={other_key}").status_code == 401
    assert client.get(f"/api/events/{event_id}.ics?key=forged").status_code == 401


def test_unknown_event_ics_is_404(client, student):
    """Is the .ics of an event that does not exist a 404?"""
    assert client.get("/api/events/999999.ics", headers=headers_for(student)).status_code == 404


def test_event_page_offers_add_to_calendar(client, student, make_event):
    """Does the event page carry an "Add to calendar" link that opens the event's .ics
    without credentials (as the phone's browser would)?"""
    event_id = make_event(starts_at=STARTS, title="Yoga")
    page = client.get(f"/events/{event_id}", headers=headers_for(student)).get_data(True)
    href = re.search(r'href="([^"]*\.ics[^"]*)"', page)
    assert href is not None and "Add to calendar" in page
    [entry] = vevents(parse(client.get(href.group(1).replace("&amp;", "&"))))
    assert str(entry["SUMMARY"]) == "Yoga"


def feed_path(client, user) -> str:
    url = client.get("/api/users/me/calendar", headers=headers_for(user)).get_json()["url"]
    assert url.startswith("https://hub.example/calendar/") and url.endswith(".ics")
    return url.removeprefix("https://hub.example")


def test_feed_lists_the_events_you_joined(client, student, teacher, make_event):
    """Does the personal feed hold the events the user joined (upcoming and of the last
    month), and not the others, nor ones long past?"""
    now = utcnow()
    joined = make_event(title="In", starts_at=STARTS, participants=[student])
    recent = make_event(title="Recent", starts_at=now - timedelta(days=3), participants=[student])
    make_event(title="Old", starts_at=now - timedelta(days=60), participants=[student])
    make_event(title="Not joined", starts_at=STARTS, participants=[teacher])
    calendar = parse(client.get(feed_path(client, student)))
    assert sorted(str(e["SUMMARY"]) for e in vevents(calendar)) == ["In", "Recent"]
    assert {str(e["UID"]) for e in vevents(calendar)} == {
        f"event-{joined}@hub.example",
        f"event-{recent}@hub.example",
    }
    assert str(calendar["X-WR-CALNAME"]) == "Hub: my events"


def test_feed_is_named_in_the_users_language(client, make_user):
    """Is the feed's name in its owner's language (a calendar app shows it)?"""
    russian = make_user(language_code="ru")
    calendar = parse(client.get(feed_path(client, russian)))
    assert str(calendar["X-WR-CALNAME"]) == "Hub: мои события"


def test_feed_url_is_stable_until_reset(client, student):
    """Is the feed URL the same on every ask, and does a reset give a new one and make the
    old one a 404?"""
    first = feed_path(client, student)
    assert feed_path(client, student) == first
    answer = client.post("/api/users/me/calendar-secret", headers=headers_for(student))
    assert answer.status_code == 200
    second = answer.get_json()["url"].removeprefix("https://hub.example")
    assert second != first
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


@pytest.mark.parametrize("secret", ["", "x", "a" * 43])
def test_unknown_feed_secret_is_404(client, student, secret):
    """Is a feed URL with a secret nobody holds a 404?"""
    feed_path(client, student)
    assert client.get(f"/calendar/{secret}.ics").status_code == 404


def test_feeds_are_per_user(client, student, teacher, make_event):
    """Does each user's feed hold only their own events?"""
    make_event(title="Student's", starts_at=STARTS, participants=[student])
    make_event(title="Teacher's", starts_at=STARTS, participants=[teacher])
    mine = parse(client.get(feed_path(client, student)))
    theirs = parse(client.get(feed_path(client, teacher)))
    assert [str(e["SUMMARY"]) for e in vevents(mine)] == ["Student's"]
    assert [str(e["SUMMARY"]) for e in vevents(theirs)] == ["Teacher's"]


def test_feed_follows_a_moved_event(app, client, student, make_event):
    """After an event moves, does the feed give the new time under the same UID (so the
    calendar app updates the entry instead of adding one)?"""
    event_id = make_event(starts_at=STARTS, participants=[student])
    path = feed_path(client, student)
    before = vevents(parse(client.get(path)))[0]
    with app.app_context():
        db.session.get(Event, event_id).starts_at = STARTS + timedelta(hours=2)
        db.session.commit()
    after = vevents(parse(client.get(path)))[0]
    assert after["UID"] == before["UID"]
    assert after.decoded("DTSTART") == STARTS + timedelta(hours=2)


def test_calendar_page_shows_and_resets_the_link(client, student):
    """Does `/events/calendar` show the feed's URL, and its reset button replace it (the
    old URL then a 404)?"""
    old = feed_path(client, student)
    page = client.get("/events/calendar", headers=headers_for(student)).get_data(True)
    assert f"https://hub.example{old}" in page and f"webcal://hub.example{old}" in page
    fragment = {**headers_for(student), "HX-Request": "true"}
    answer = client.post("/events/calendar/reset", headers=fragment)
    assert answer.status_code == 200
    new = feed_path(client, student)
    assert new != old and f"https://hub.example{new}" in answer.get_data(True)
    assert client.get(old).status_code == 404


def test_place_on_the_map_and_cancellation(app, client, student, make_event):
    """Does the .ics carry the event's coordinates (GEO), and after a cancellation say
    `STATUS:CANCELLED` with a higher SEQUENCE, so a calendar drops the entry?"""
    event_id = make_event(starts_at=STARTS, latitude=55.7298, longitude=37.6011)
    [entry] = vevents(
        parse(client.get(f"/api/events/{event_id}.ics", headers=headers_for(student)))
    )
    assert (entry["GEO"].latitude, entry["GEO"].longitude) == (55.7298, 37.6011)
    assert str(entry["STATUS"]) == "CONFIRMED" and entry["SEQUENCE"] == 0
    with app.app_context():
        event = db.session.get(Event, event_id)
        event.cancelled_at, event.version = utcnow(), 2
        db.session.commit()
    [entry] = vevents(
        parse(client.get(f"/api/events/{event_id}.ics", headers=headers_for(student)))
    )
    assert str(entry["STATUS"]) == "CANCELLED" and entry["SEQUENCE"] == 1
