"""The commands: /start with and without a payload, /help, in the user's language."""

from __future__ import annotations

import pytest

from bot.handlers.commands import start_payload
from bot.models import BlockedChat
from tests.fixtures.fake_telegram import bot_overrides, message_update, webhook_headers
from webapp.extensions import db

URL = "/telegram/webhook"


@pytest.fixture
def app_overrides(fake_telegram):
    return bot_overrides(fake_telegram)


def send(app, client, chat_id, text, **fields):
    response = client.post(
        URL, json=message_update(chat_id, text, **fields), headers=webhook_headers(app)
    )
    assert response.status_code == 200


def button_url(params):
    [[button]] = params["reply_markup"]["inline_keyboard"]
    return button["web_app"]["url"]


@pytest.mark.parametrize("payload", ["event_5", "order_ab12-CD", "problem_7"])
def test_start_payload_becomes_the_start_parameter(app, client, fake_telegram, payload):
    """Does `/start <payload>` open the Mini App with `startapp=<payload>`?"""
    send(app, client, 601, f"/start {payload}")
    [params] = fake_telegram.messages(601)
    assert button_url(params) == f"https://hub.example/?startapp={payload}"
    assert "Tap the button" in params["text"]


@pytest.mark.parametrize("payload", ["../etc", "a" * 65, "event 5", "<script>"])
def test_a_malformed_payload_is_ignored(app, client, fake_telegram, payload):
    """Is a payload outside [A-Za-z0-9_-]{1,64} dropped (the plain Mini App is offered)?"""
    send(app, client, 602, f"/start {payload}")
    [params] = fake_telegram.messages(602)
    assert button_url(params) == "https://hub.example/"


def test_start_payload_parsing():
    """Which texts carry a start payload?"""
    assert start_payload("/start") is None
    assert start_payload("/start  event_5 ") == "event_5"
    assert start_payload("/start event_5 extra") is None
    assert start_payload(None) is None


def test_start_keeps_an_existing_query_in_webapp_url(build, fake_telegram):
    """Is `startapp` added to a WEBAPP_URL that already has a query?"""
    app = build(bot_overrides(fake_telegram, WEBAPP_URL="https://hub.example/app?x=1"))
    send(app, app.test_client(), 603, "/start event_9")
    [params] = fake_telegram.messages(603)
    assert button_url(params) == "https://hub.example/app?x=1&startapp=event_9"


@pytest.mark.parametrize(
    ("language", "greeting", "label"),
    [
        ("ru", "Привет, Ann!", "Открыть приложение"),
        ("ru-RU", "Привет, Ann!", "Открыть приложение"),
        ("en", "Hello, Ann!", "Open the app"),
        ("de", "Hello, Ann!", "Open the app"),
        (None, "Hello, Ann!", "Open the app"),
        (5, "Hello, Ann!", "Open the app"),
    ],
)
def test_start_speaks_the_users_language(app, client, fake_telegram, language, greeting, label):
    """Is the greeting and the button in the user's Telegram language (English otherwise)?"""
    send(app, client, 604, "/start", language_code=language)
    [params] = fake_telegram.messages(604)
    assert params["text"].startswith(greeting)
    assert params["reply_markup"]["inline_keyboard"][0][0]["text"] == label


def test_help_lists_the_commands(app, client, fake_telegram):
    """Does /help list /start and /help, in Russian for a Russian user?"""
    send(app, client, 605, "/help")
    send(app, client, 606, "/help", language_code="ru")
    [english] = fake_telegram.messages(605)
    [russian] = fake_telegram.messages(606)
    assert "/start" in english["text"] and "/help" in english["text"]
    assert russian["text"].startswith("Что я умею")


def test_start_from_a_user_who_had_blocked_the_bot_unblocks_them(app, client, fake_telegram):
    """Does writing /start again let the bot message a user who once blocked it?"""
    with app.app_context():
        db.session.add(BlockedChat(chat_id=607))
        db.session.commit()
    send(app, client, 607, "/start")
    assert len(fake_telegram.messages(607)) == 1
    with app.app_context():
        assert db.session.get(BlockedChat, 607) is None
