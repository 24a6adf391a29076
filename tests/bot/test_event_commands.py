"""The bot's everyday commands of events (issue 11) through the real webhook and the fake
Bot API: `/events` near the profile's city with "Open" buttons into the Mini App, `/my`,
`/applications` with Approve/Reject buttons, and `setMyCommands` in both languages. Each
answer is sent once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.fixtures.fake_telegram import bot_overrides, message_update, webhook_headers
from tests.fixtures.users import headers_for
from webapp.database import utcnow
from webapp.events.models import Event, EventRequest, JoinMode, Participant, RequestStatus
from webapp.events.sports import seed_sports
from webapp.extensions import db

URL = "/telegram/webhook"
MOSCOW, KAZAN = 524901, 551487
STARTS = datetime(2030, 6, 14, 15, 0, tzinfo=UTC)  # 18:00 in Moscow


@pytest.fixture
def app_overrides(fake_telegram):
    return bot_overrides(fake_telegram)


@pytest.fixture(autouse=True)
def sports(app):
    with app.app_context():
        seed_sports()
        db.session.commit()


def send(app, client, chat_id, text, **fields):
    update = message_update(chat_id, text, **fields)
    answer = client.post(URL, json=update, headers=webhook_headers(app))
    assert answer.status_code == 200
    return update


def add_event(app, creator, *, city_id=None, starts_at=STARTS, **fields):
    with app.app_context():
        event = Event(
            creator_id=creator.id,
            title=fields.pop("title", "Run"),
            starts_at=starts_at,
            participants_count=0,
            city_id=city_id,
            **fields,
        )
        db.session.add(event)
        db.session.commit()
        return event.id


def test_events_near_the_profile_city(app, client, fake_telegram, make_user):
    """Does `/events` list the upcoming events of the profile's city, soonest first, in the
    user's local time, each with a web_app "Open" button to the event — and not those of
    other cities, past or cancelled?"""
    user = make_user(city_id=MOSCOW, time_zone="Europe/Moscow", language_code="en")
    later = add_event(app, user, city_id=MOSCOW, title="Later", starts_at=STARTS + timedelta(1))
    first = add_event(app, user, city_id=MOSCOW, title="Park run", location="Gorky Park")
    add_event(app, user, city_id=KAZAN, title="Kazan run")
    add_event(app, user, city_id=MOSCOW, title="Past", starts_at=utcnow() - timedelta(hours=1))
    add_event(app, user, city_id=MOSCOW, title="Off", cancelled_at=utcnow())
    send(app, client, user.telegram_id, "/events")
    [params] = fake_telegram.messages(user.telegram_id)
    text = params["text"]
    assert text.splitlines()[0] == "Upcoming events in Moscow:"
    assert "1. Park run — Jun 14, 2030, 6:00\u202fPM" in text and "Gorky Park" in text
    assert "2. Later" in text and "Kazan" not in text and "Past" not in text and "Off" not in text
    rows = params["reply_markup"]["inline_keyboard"]
    assert [row[0]["web_app"]["url"] for row in rows] == [
        f"https://hub.example/?startapp=event_{first}",
        f"https://hub.example/?startapp=event_{later}",
    ]
    assert rows[0][0]["text"] == "Open 1. Park run"


def test_events_without_a_city_lists_everywhere(app, client, fake_telegram, make_user):
    """Without a city in the profile, does `/events` list events everywhere and say how
    to see the ones nearby?"""
    user = make_user()
    add_event(app, user, city_id=KAZAN, title="Kazan run")
    send(app, client, user.telegram_id, "/events")
    [params] = fake_telegram.messages(user.telegram_id)
    assert "set your city in your profile" in params["text"] and "Kazan run" in params["text"]


def test_no_events_near(app, client, fake_telegram, make_user):
    """With nothing coming up in the city, does `/events` say so (in Russian for a Russian
    user, the city in Russian too), without buttons?"""
    user = make_user(city_id=MOSCOW, language_code="ru")
    send(app, client, user.telegram_id, "/events", language_code="ru")
    [params] = fake_telegram.messages(user.telegram_id)
    assert params["text"] == "В городе Москва пока нет предстоящих событий."  # noqa: RUF001
    assert "reply_markup" not in params or not params["reply_markup"]


def test_a_stranger_is_asked_to_open_the_app(app, client, fake_telegram):
    """Is someone the app does not know yet asked to open it first?"""
    send(app, client, 990_001, "/events")
    [params] = fake_telegram.messages(990_001)
    assert params["text"] == "Open the app once first, then ask me again."


def test_my_lists_organised_joined_and_applied(app, client, fake_telegram, make_user):
    """Does `/my` list the user's upcoming events with their place in each (organiser,
    in, application sent, waitlisted), soonest first, and leave others' events out?"""
    me, other = make_user(), make_user()
    mine = add_event(app, me, title="Mine", starts_at=STARTS)
    joined = add_event(app, other, title="Joined", starts_at=STARTS + timedelta(days=1))
    applied = add_event(app, other, title="Applied", starts_at=STARTS + timedelta(days=2))
    waiting = add_event(app, other, title="Queue", starts_at=STARTS + timedelta(days=3))
    add_event(app, other, title="Theirs")
    with app.app_context():
        db.session.add(Participant(event_id=joined, user_id=me.id, joined_at=utcnow()))
        db.session.add(EventRequest(event_id=applied, user_id=me.id, status="pending"))
        db.session.add(
            EventRequest(event_id=waiting, user_id=me.id, status="waitlisted", position=1)
        )
        db.session.commit()
    send(app, client, me.telegram_id, "/my")
    [params] = fake_telegram.messages(me.telegram_id)
    lines = params["text"].splitlines()
    assert lines[0] == "Your upcoming events and applications:"
    assert [line.split(" — ")[0] for line in lines[1:]] == [
        "1. Mine",
        "2. Joined",
        "3. Applied",
        "4. Queue",
    ]
    assert lines[1].endswith("you organise it") and lines[2].endswith("you are in")
    assert lines[3].endswith("application sent") and lines[4].endswith("on the waitlist")
    urls = [row[0]["web_app"]["url"] for row in params["reply_markup"]["inline_keyboard"]]
    assert urls[0].endswith(f"event_{mine}") and len(urls) == 4


def test_my_with_nothing(app, client, fake_telegram, make_user):
    """With no upcoming events, does `/my` say so?"""
    user = make_user()
    send(app, client, user.telegram_id, "/my")
    [params] = fake_telegram.messages(user.telegram_id)
    assert params["text"] == "You have no upcoming events or applications."


def test_applications_wait_for_the_organisers_decision(app, client, fake_telegram, make_user):
    """Does `/applications` list the pending applications to the organiser's events, oldest
    first, with each applicant's profile and message and Approve/Reject buttons in the
    events' callback format — and leave out decided ones and other organisers' events?"""
    organiser, other = make_user(), make_user()
    anna = make_user(
        first_name="Anna",
        username="anna",
        city_id=MOSCOW,
        sports=["running", "yoga"],
        level="beginner",
        about="Morning runs",
    )
    boris = make_user(first_name="Boris")
    event = add_event(app, organiser, title="Park run", join_mode=JoinMode.APPROVAL)
    elsewhere = add_event(app, other, title="Not mine", join_mode=JoinMode.APPROVAL)
    with app.app_context():
        early = utcnow() - timedelta(hours=2)
        db.session.add_all(
            [
                EventRequest(
                    event_id=event,
                    user_id=anna.id,
                    status=RequestStatus.PENDING,
                    message="Can I come?",
                    created_at=early,
                ),
                EventRequest(event_id=event, user_id=boris.id, status=RequestStatus.PENDING),
                EventRequest(event_id=elsewhere, user_id=boris.id, status=RequestStatus.PENDING),
            ]
        )
        rejected = make_user(first_name="Rejected")
        db.session.add(
            EventRequest(event_id=event, user_id=rejected.id, status=RequestStatus.REJECTED)
        )
        db.session.commit()
    send(app, client, organiser.telegram_id, "/applications")
    [params] = fake_telegram.messages(organiser.telegram_id)
    text = params["text"]
    assert text.splitlines()[0] == "Applications waiting for your decision:"
    assert "1. Anna @anna → Park run" in text and "2. Boris → Park run" in text
    assert "City: Moscow; Level: Beginner; Sports: Running, Yoga; About: Morning runs" in text
    assert "Message: Can I come?" in text
    assert "Rejected" not in text and "Not mine" not in text
    rows = params["reply_markup"]["inline_keyboard"]
    assert [[b["callback_data"] for b in row] for row in rows] == [
        [f"event:approve:{event}:{anna.id}", f"event:reject:{event}:{anna.id}"],
        [f"event:approve:{event}:{boris.id}", f"event:reject:{event}:{boris.id}"],
    ]
    assert [b["text"] for b in rows[0]] == ["✅ Approve 1", "❌ Reject 1"]


def test_approve_from_the_list_seats_the_applicant(app, client, fake_telegram, make_user):
    """Does pressing an Approve button of `/applications` (handled by the events' button
    handler) seat the applicant, so the next `/applications` has nothing left?"""
    organiser, anna = make_user(), make_user(first_name="Anna")
    event = add_event(app, organiser, title="Park run", join_mode=JoinMode.APPROVAL)
    joined = client.post(f"/api/events/{event}/join", json={}, headers=headers_for(anna))
    assert joined.status_code == 202
    send(app, client, organiser.telegram_id, "/applications")
    listed = fake_telegram.messages(organiser.telegram_id)[-1]
    approve = listed["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    press = {
        "update_id": 96_001,
        "callback_query": {
            "id": "q96001",
            "from": {"id": organiser.telegram_id, "is_bot": False, "first_name": "Org"},
            "chat_instance": "c",
            "data": approve,
        },
    }
    assert client.post(URL, json=press, headers=webhook_headers(app)).status_code == 200
    status = client.get(f"/api/events/{event}", headers=headers_for(anna)).get_json()["status"]
    assert status == "joined"
    send(app, client, organiser.telegram_id, "/applications")
    assert fake_telegram.messages(organiser.telegram_id)[-1]["text"] == (
        "No applications wait for your decision."
    )


def test_no_applications(app, client, fake_telegram, make_user):
    """With nothing to decide, does `/applications` say so?"""
    user = make_user()
    send(app, client, user.telegram_id, "/applications")
    [params] = fake_telegram.messages(user.telegram_id)
    assert params["text"] == "No applications wait for your decision."


def test_each_command_is_answered_once(app, client, fake_telegram, make_user):
    """When Telegram delivers the same command update twice, is it answered once?"""
    user = make_user()
    update = message_update(user.telegram_id, "/my")
    for _ in range(2):
        answer = client.post(URL, json=update, headers=webhook_headers(app))
        assert answer.status_code == 200
    assert len(fake_telegram.messages(user.telegram_id)) == 1


def test_help_lists_the_new_commands(app, client, fake_telegram):
    """Does /help name /events, /my and /applications?"""
    send(app, client, 990_002, "/help")
    [params] = fake_telegram.messages(990_002)
    assert all(c in params["text"] for c in ("/events", "/my", "/applications"))


def test_set_commands_in_both_languages(runner, fake_telegram):
    """Does `flask bot set-commands` register the commands with `setMyCommands`: the
    default list in English and one for Russian users, each described in its language?"""
    result = runner.invoke(args=["bot", "set-commands"])
    assert result.exit_code == 0, result.output
    calls = fake_telegram.calls("setMyCommands")
    by_language = {
        call.params.get("language_code"): json.loads(call.params["commands"]) for call in calls
    }
    assert set(by_language) == {None, "ru"}
    english = {c["command"]: c["description"] for c in by_language[None]}
    russian = {c["command"]: c["description"] for c in by_language["ru"]}
    assert set(english) == set(russian) == {"events", "my", "applications", "start", "help"}
    assert english["events"] == "Upcoming events near you"
    assert russian["events"] == "Предстоящие события рядом"
