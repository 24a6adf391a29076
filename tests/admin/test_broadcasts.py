"""Broadcasts through `/api/admin/broadcasts`: who may send, what, to whom, and the report.

Delivery stays off here (`BOT_DELIVERY=off`): a test queues through the API and, where it
wants delivery, runs the one sender itself on a fake clock against the fake Bot API, which
keeps Telegram's limits — so a thousand messages at 25 a second take 40 fake seconds and
about two real ones.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import insert, select

from bot.ratelimit import Limits, LocalRateLimiter
from bot.sender import deliver
from tests.admin.conftest import ADMIN_LOGIN, ADMIN_PASSWORD, audit_entries
from tests.fixtures.clock import FakeClock
from tests.fixtures.fake_telegram import bot_overrides
from tests.fixtures.users import headers_for
from webapp.admin.broadcasts import services
from webapp.admin.broadcasts.models import Broadcast
from webapp.events.models import Event, Participant
from webapp.extensions import db
from webapp.market.cities import resolve_city
from webapp.market.models import Frequency, Preferences
from webapp.outbox import MessageStatus, OutgoingMessage, queue_message
from webapp.users.models import Role, User

URL = "/api/admin/broadcasts"
_chat_ids = itertools.count(7_000_000)


@pytest.fixture
def app_overrides(fake_telegram):
    return bot_overrides(fake_telegram, BOT_DELIVERY="off")


@pytest.fixture
def bearer(app, client, dashboard_admin) -> dict[str, str]:
    """The dashboard admin's bearer token from `/api/auth/login`."""
    answer = client.post(
        "/api/auth/login", json={"username": ADMIN_LOGIN, "password": ADMIN_PASSWORD}
    )
    assert answer.status_code == 200, answer.get_json()
    with app.app_context():  # the admin's own chat, for tests to themselves
        db.session.get(User, dashboard_admin.id).telegram_id = 6_999_999
        db.session.commit()
    return {"Authorization": f"Bearer {answer.get_json()['access_token']}"}


def add_users(app, count: int, **fields: Any) -> list[int]:
    """`count` users with Telegram chats in one INSERT; returns their chat ids."""
    chats = [next(_chat_ids) for _ in range(count)]
    rows = [
        {"telegram_id": chat, "first_name": f"U{chat}", "role": Role.STUDENT, **fields}
        for chat in chats
    ]
    with app.app_context():
        db.session.execute(insert(User), rows)
        db.session.commit()
    return chats


def outbox(app, broadcast_id: int) -> list[tuple[int, str, Any]]:
    with app.app_context():
        return [
            (m.chat_id, m.status.value, m.reply_markup)
            for m in db.session.scalars(
                select(OutgoingMessage)
                .where(OutgoingMessage.broadcast_id == broadcast_id)
                .order_by(OutgoingMessage.chat_id)
            )
        ]


@pytest.fixture
def send_all(app, fake_telegram, fake_clock: FakeClock) -> Callable[[], int]:
    """Run the app's sender on the fake clock until nothing is left to send."""
    fake_telegram.reset(fake_clock.monotonic)
    limiter = LocalRateLimiter(Limits.from_config(app.config), fake_clock.monotonic)

    def run() -> int:
        return deliver(app, budget=600.0, clock=fake_clock, limiter=limiter)

    return run


def test_a_broadcast_to_1000_users_is_delivered_within_the_limits(
    app, client, bearer, fake_telegram, send_all, fake_clock
):
    """Does a broadcast to 1,000 users report 1,000 sent, none lost, no limit broken, and
    the rate achieved (paced below Telegram's 30 a second)? One user blocked the bot: is
    that counted as blocked, not sent or failed? (Slow, ~3 s on an idle machine: a thousand
    real HTTP calls to the fake Bot API, each with its commit — the issue's own figure.)"""
    chats = add_users(app, 1000)
    blocked = add_users(app, 1)[0]
    fake_telegram.block(blocked)

    created = client.post(
        URL, json={"text": "<b>Hello</b> all", "audience": {"role": "student"}}, headers=bearer
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["recipients"] == 1001
    broadcast_id = body["id"]
    assert client.get(f"{URL}/{broadcast_id}", headers=bearer).get_json()["queued"] == 1001

    send_all()

    report = client.get(f"{URL}/{broadcast_id}", headers=bearer).get_json()
    assert (report["sent"], report["blocked"], report["failed"], report["queued"]) == (
        1000,
        1,
        0,
        0,
    )
    assert report["state"] == "done"
    received = {m["chat_id"] for m in fake_telegram.messages()}
    assert set(chats) <= received and blocked not in received  # 0 lost
    assert len(fake_telegram.messages()) == 1000  # each once
    assert fake_telegram.violations == 0
    assert fake_telegram.early_retries == 0
    assert 20 <= report["rate"] <= 30  # paced at PACE, chunk gaps and all; never above 30
    assert fake_telegram.messages()[0]["parse_mode"] == "HTML"


ROUTES = [
    ("post", URL, {"text": "hi", "audience": {"all": True}}),
    ("get", URL, None),
    ("post", f"{URL}/count", {"audience": {"all": True}}),
    ("post", f"{URL}/test", {"text": "hi"}),
    ("get", f"{URL}/1", None),
    ("post", f"{URL}/1/cancel", None),
]


@pytest.mark.parametrize("role", [Role.STUDENT, Role.TEACHER, Role.MODERATOR])
def test_only_admins_use_any_broadcast_route(app, client, make_user, role):
    """Does every broadcast route answer 403 to a signed-in non-admin (and queue nothing)?"""
    user = make_user(role)
    with app.app_context():
        db.session.add(Broadcast(author_id=user.id, text="x", audience={"all": True}))
        db.session.commit()
    for method, url, body in ROUTES:
        answer = getattr(client, method)(url, json=body, headers=headers_for(user))
        assert answer.status_code == 403, (method, url, answer.get_json())
    with app.app_context():
        assert db.session.scalar(select(OutgoingMessage.id)) is None


def test_a_stranger_is_asked_to_sign_in(client):
    """Is a broadcast route without credentials a 401?"""
    assert client.post(URL, json={"text": "hi", "audience": {"all": True}}).status_code == 401


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("a < b", "&lt;"),
        ("Tom & Jerry", "&amp;"),
        ("<b>bold", "<b>"),
        ("<div>block</div>", "<div>"),
        ("<b><i>x</b></i>", "</b>"),
        ('<a href="javascript:alert(1)">x</a>', "http"),
        ("<span>x</span>", "tg-spoiler"),
        ("<code><b>x</b></code>", "<code>"),
        ("   ", "empty"),
        ("x" * 4097, "4096"),
    ],
)
def test_text_telegram_would_refuse_is_a_422_on_text(app, client, bearer, text, why):
    """Is markup Telegram's HTML parser refuses a 422 naming `text` (and saying why),
    before anything is queued?"""
    answer = client.post(URL, json={"text": text, "audience": {"all": True}}, headers=bearer)
    assert answer.status_code == 422
    errors = answer.get_json()["errors"]
    assert [e["field"] for e in errors] == ["text"]
    assert why in errors[0]["message"]
    with app.app_context():
        assert db.session.scalar(select(Broadcast.id)) is None


def test_telegram_html_that_is_fine_passes(app, client, bearer):
    """Is every kind of markup Telegram accepts accepted (and sent as written)?"""
    text = (
        "<b>b</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <ins>n</ins> <s>s</s> "
        '<strike>k</strike> <del>d</del> <span class="tg-spoiler">p</span> '
        '<tg-spoiler>t</tg-spoiler> <a href="https://example.org/?a=1&amp;b=2">a</a> '
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> <code>c</code> '
        '<pre><code class="language-python">x = 1 &lt; 2</code></pre> '
        "<blockquote expandable>q</blockquote> &quot;&#128512;&gt;"
    )
    answer = client.post(URL, json={"text": text, "audience": {"all": True}}, headers=bearer)
    assert answer.status_code == 201, answer.get_json()
    with app.app_context():
        assert db.session.scalar(select(OutgoingMessage.text)) == text


@pytest.mark.parametrize(
    "audience",
    [
        {},
        {"all": True, "role": "teacher"},
        {"category": "courier"},
        {"city": "Moscow"},
        {"all": False},
        {"role": "pope"},
        {"event_id": 0},
        {"everyone": True},
    ],
)
def test_an_audience_is_exactly_one_kind(client, bearer, audience):
    """Is an audience that is not exactly one known kind a 422 on `audience…`?"""
    answer = client.post(URL, json={"text": "hi", "audience": audience}, headers=bearer)
    assert answer.status_code == 422, answer.get_json()
    assert all(e["field"].startswith("audience") for e in answer.get_json()["errors"])


@pytest.mark.parametrize(
    ("audience", "field"),
    [
        ({"event_id": 999_999}, "audience.event_id"),
        ({"category": "nope", "city": "Moscow"}, "audience.category"),
        ({"category": "courier", "city": "Atlantis"}, "audience.city"),
        ({"language": "de"}, "audience.language"),
    ],
)
def test_an_audience_of_nothing_known_is_a_422(client, bearer, audience, field):
    """Does an unknown event, category, city or language fail on its field, not count 0?"""
    answer = client.post(f"{URL}/count", json={"audience": audience}, headers=bearer)
    assert answer.status_code == 422
    assert [e["field"] for e in answer.get_json()["errors"]] == [field]


def test_each_audience_reaches_exactly_its_people(app, client, bearer, make_user):
    """Do the counts and the queued chats match each audience: everyone reachable, a
    role, an event's participants, executors subscribed to a category AND city (not `off`),
    a language — never a banned or deleted user or one without a Telegram chat?"""
    teacher = make_user(Role.TEACHER, language_code="ru")
    russian = make_user(Role.STUDENT, locale="ru", language_code="en")
    english = make_user(Role.STUDENT, language_code="ru-RU", locale="en")
    executor = make_user(Role.STUDENT, language_code="en-US")
    other_city = make_user(Role.STUDENT)
    muted = make_user(Role.STUDENT)
    make_user(Role.TEACHER, is_banned=True)
    make_user(Role.STUDENT, telegram_id=None, login="pw")
    with app.app_context():
        from webapp.database import utcnow

        make_user(Role.STUDENT, deleted_at=utcnow())
        event = Event(title="E", starts_at=utcnow(), creator_id=teacher.id)
        db.session.add(event)
        db.session.flush()
        db.session.add_all(
            [Participant(event_id=event.id, user_id=u.id) for u in (russian, executor)]
        )
        moscow, kazan = (resolve_city(name).id for name in ("Moscow", "Kazan"))
        subscriptions = [
            (executor, ["courier", "it"], [moscow, kazan], Frequency.DAILY),
            (other_city, ["courier"], [kazan], Frequency.INSTANT),
            (muted, ["courier"], [moscow], Frequency.OFF),
        ]
        for user, categories, cities, frequency in subscriptions:
            db.session.add(
                Preferences(
                    user_id=user.id, categories=categories, city_ids=cities, frequency=frequency
                )
            )
        db.session.commit()
        event_id = event.id
    admin_chat = 6_999_999
    expected = {
        "all": (
            {"all": True},
            {
                admin_chat,
                teacher.telegram_id,
                russian.telegram_id,
                english.telegram_id,
                executor.telegram_id,
                other_city.telegram_id,
                muted.telegram_id,
            },
        ),
        "role": ({"role": "teacher"}, {teacher.telegram_id}),
        "event": ({"event_id": event_id}, {russian.telegram_id, executor.telegram_id}),
        "market": ({"category": "courier", "city": "Москва"}, {executor.telegram_id}),
        "market by id": ({"category": "courier", "city": moscow}, {executor.telegram_id}),
        "language": ({"language": "ru"}, {teacher.telegram_id, russian.telegram_id}),
    }
    for name, (audience, chats) in expected.items():
        counted = client.post(f"{URL}/count", json={"audience": audience}, headers=bearer)
        assert counted.get_json() == {"recipients": len(chats)}, name
        created = client.post(URL, json={"text": name, "audience": audience}, headers=bearer)
        assert created.get_json()["recipients"] == len(chats), name
        assert {chat for chat, _s, _m in outbox(app, created.get_json()["id"])} == chats, name


def test_the_button_opens_the_mini_app_in_each_recipients_language(app, client, bearer, make_user):
    """Does the "Open" button open the Mini App page given, labelled in each recipient's
    language (or with the admin's own label), and is a path outside the Mini App a 422?"""
    ru = make_user(Role.TEACHER, language_code="ru")
    en = make_user(Role.TEACHER, language_code="en")
    answer = client.post(
        URL,
        json={"text": "hi", "audience": {"role": "teacher"}, "button": {"path": "/events"}},
        headers=bearer,
    )
    assert answer.status_code == 201, answer.get_json()
    base = app.config["WEBAPP_URL"].rstrip("/")
    markups = {chat: markup for chat, _s, markup in outbox(app, answer.get_json()["id"])}
    assert markups[ru.telegram_id] == {
        "inline_keyboard": [[{"text": "Открыть приложение", "web_app": {"url": f"{base}/events"}}]]
    }
    assert markups[en.telegram_id]["inline_keyboard"][0][0]["text"] == "Open the app"

    labelled = client.post(
        URL,
        json={"text": "hi", "audience": {"role": "teacher"}, "button": {"path": "/", "text": "Go"}},
        headers=bearer,
    )
    labels = {
        m["inline_keyboard"][0][0]["text"] for _c, _s, m in outbox(app, labelled.get_json()["id"])
    }
    assert labels == {"Go"}

    for path in (
        "/admin/users/",
        "/api/tasks",
        "https://evil.example/",
        "//evil.example",
        "/no-such-page",
    ):
        refused = client.post(
            URL,
            json={"text": "hi", "audience": {"all": True}, "button": {"path": path}},
            headers=bearer,
        )
        assert refused.status_code == 422, path
        assert [e["field"] for e in refused.get_json()["errors"]] == ["button.path"]


def test_a_test_message_goes_to_the_admin_only(app, client, bearer, make_user):
    """Does "send a test" queue the message to the admin's own chat and nobody else, and
    refuse with 409 when the admin has no Telegram chat?"""
    make_user(Role.STUDENT)
    answer = client.post(f"{URL}/test", json={"text": "<i>draft</i>"}, headers=bearer)
    assert answer.status_code == 202
    with app.app_context():
        rows = db.session.execute(select(OutgoingMessage.chat_id, OutgoingMessage.parse_mode))
        assert rows.all() == [(6_999_999, "HTML")]
        db.session.execute(User.__table__.update().values(telegram_id=None))
        db.session.commit()
    assert client.post(f"{URL}/test", json={"text": "x"}, headers=bearer).status_code == 409


def test_cancel_withdraws_what_is_not_sent(app, client, bearer, send_all, fake_telegram):
    """Does cancelling mark the pending messages cancelled (the sender then sends none),
    keep the sent ones counted, and log who cancelled; is a second cancel harmless and a
    cancel of a finished broadcast a 409?"""
    add_users(app, 3)
    created = client.post(
        URL, json={"text": "hi", "audience": {"role": "student"}}, headers=bearer
    ).get_json()
    with app.app_context():  # one already went out
        first = db.session.scalar(
            select(OutgoingMessage)
            .where(OutgoingMessage.broadcast_id == created["id"])
            .order_by(OutgoingMessage.id)
        )
        first.status = MessageStatus.SENT
        db.session.commit()
    answer = client.post(f"{URL}/{created['id']}/cancel", headers=bearer)
    assert answer.status_code == 200
    report = answer.get_json()
    assert (report["state"], report["sent"], report["cancelled"], report["queued"]) == (
        "cancelled",
        1,
        2,
        0,
    )
    assert send_all() == 0 and fake_telegram.messages() == []
    assert client.post(f"{URL}/{created['id']}/cancel", headers=bearer).status_code == 200
    assert [e.action for e in audit_entries(app, "broadcast.cancel")] == ["broadcast.cancel"]

    done = client.post(
        URL, json={"text": "hi", "audience": {"role": "student"}}, headers=bearer
    ).get_json()
    send_all()
    assert client.post(f"{URL}/{done['id']}/cancel", headers=bearer).status_code == 409


def test_a_broadcast_is_audited_and_listed(app, client, bearer):
    """Is sending a broadcast in the audit log (text, audience, recipients) and in the list?"""
    add_users(app, 2)
    created = client.post(
        URL, json={"text": "hi", "audience": {"role": "student"}}, headers=bearer
    ).get_json()
    [entry] = audit_entries(app, "broadcast.send")
    assert entry.after["recipients"] == 2 and entry.after["audience"] == {"role": "student"}
    listed = client.get(URL, headers=bearer).get_json()
    assert [b["id"] for b in listed["items"]] == [created["id"]]


def test_queueing_twice_adds_nothing(app, make_user, dashboard_admin):
    """Is a broadcast's message to a user once-only (its dedupe key), so queueing the same
    recipients again adds no row, and is a prepared broadcast never prepared again?"""
    make_user(Role.STUDENT)
    with app.test_request_context():
        actor = db.session.get(User, dashboard_admin.id)
        broadcast = services.create_broadcast(actor, "hi", services.Audience(all=True))
        assert services.prepare_broadcast(broadcast.id) == 2
        again = services._queue(broadcast, services.Audience(all=True), None)
        assert (broadcast.recipients, again, services.prepare_broadcast(broadcast.id)) == (
            2,
            0,
            0,
        )


def test_a_reminder_queued_during_a_broadcast_waits_for_one_chunk_at_most(
    app, client, bearer, send_all, fake_telegram, monkeypatch
):
    """Does a broadcast leave room for the app's own messages: a message queued right after
    a broadcast of three chunks goes out within the first chunk's time, not after all of
    it? (Chunks of 40 here, so the test sends 121 messages, not thousands.)"""
    monkeypatch.setattr(services, "CHUNK", 40)
    add_users(app, 120)
    client.post(URL, json={"text": "news", "audience": {"role": "student"}}, headers=bearer)
    with app.app_context():
        queue_message(424242, "reminder")
        db.session.commit()
    send_all()
    texts = [m["text"] for m in fake_telegram.messages()]
    # Within the first chunk or so (several sender threads on PostgreSQL interleave), long
    # before the 120 broadcast messages an unpaced broadcast would put ahead of it.
    assert texts.index("reminder") < 2 * services.CHUNK
    assert len(texts) == 121 and fake_telegram.violations == 0


@pytest.fixture
def jobs_held(monkeypatch) -> list[tuple[Any, ...]]:
    """Jobs started are recorded, not run: what the request itself did is left to see."""
    started: list[tuple[Any, ...]] = []
    monkeypatch.setattr("jobs.broadcasts.enqueue", lambda *args, **kw: started.append(args))
    return started


def test_the_request_queues_nothing_and_a_job_queues_each_message_once(
    app, client, bearer, jobs_held
):
    """Does sending answer at once with the audience's count and the broadcast preparing,
    with no message queued by the request and one preparing job started by the commit; does
    the job (or the sweep, which runs the same function) then queue every message, and a
    second run nothing?"""
    from jobs.broadcasts import prepare_broadcasts
    from jobs.schedule import PERIODIC_JOBS

    add_users(app, 30)
    created = client.post(URL, json={"text": "hi", "audience": {"role": "student"}}, headers=bearer)
    assert created.status_code == 201 and created.get_json()["recipients"] == 30
    broadcast_id = created.get_json()["id"]
    assert jobs_held == [("jobs.broadcasts.prepare_broadcasts",)]
    assert outbox(app, broadcast_id) == []
    report = client.get(f"{URL}/{broadcast_id}", headers=bearer).get_json()
    assert (report["state"], report["queued"], report["recipients"]) == ("preparing", 0, 30)

    with app.app_context():
        assert prepare_broadcasts() == 30
        assert prepare_broadcasts() == 0
    assert len(outbox(app, broadcast_id)) == 30
    report = client.get(f"{URL}/{broadcast_id}", headers=bearer).get_json()
    assert (report["state"], report["queued"], report["recipients"]) == ("sending", 30, 30)
    assert "jobs.broadcasts.prepare_broadcasts" in {job.func for job in PERIODIC_JOBS}


def test_a_broadcast_cancelled_while_preparing_queues_nothing(app, client, bearer, jobs_held):
    """Is a broadcast cancelled before its job ran cancelled (audited), and does the job
    then queue none of its messages?"""
    from jobs.broadcasts import prepare_broadcasts

    add_users(app, 5)
    created = client.post(
        URL, json={"text": "hi", "audience": {"role": "student"}}, headers=bearer
    ).get_json()
    answer = client.post(f"{URL}/{created['id']}/cancel", headers=bearer)
    assert answer.status_code == 200 and answer.get_json()["state"] == "cancelled"
    with app.app_context():
        assert prepare_broadcasts() == 0
    assert outbox(app, created["id"]) == []
    assert len(audit_entries(app, "broadcast.cancel")) == 1
