"""The webhook: the secret, bad bodies, and every update handled exactly once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.models import ProcessedUpdate
from tests.fixtures.fake_telegram import bot_overrides, message_update, webhook_headers
from webapp.extensions import db
from webapp.outbox import OutgoingMessage

URL = "/telegram/webhook"


@pytest.fixture
def app_overrides(fake_telegram):
    return bot_overrides(fake_telegram)


def test_start_sends_one_message_with_a_web_app_button(app, client, fake_telegram):
    """Does a /start update with the secret produce exactly one sendMessage with a web_app
    button, and a second delivery of the same update none?"""
    update = message_update(501, "/start", update_id=77)
    first = client.post(URL, json=update, headers=webhook_headers(app))
    assert first.status_code == 200
    assert first.json == {"ok": True, "duplicate": False}
    [call] = fake_telegram.calls("sendMessage")
    assert call.chat_id == 501
    [[button]] = call.params["reply_markup"]["inline_keyboard"]
    assert button["web_app"] == {"url": "https://hub.example/"}

    again = client.post(URL, json=update, headers=webhook_headers(app))
    assert again.status_code == 200
    assert again.json["duplicate"] is True
    assert len(fake_telegram.calls("sendMessage")) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutgoingMessage)) == 1


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}, {"X-Telegram-Bot-Api-Secret-Token": ""}],
    ids=["missing", "wrong", "empty"],
)
def test_wrong_or_missing_secret_is_403(app, client, fake_telegram, headers):
    """Is an update without the right secret header refused with a 403 problem, unhandled?"""
    response = client.post(URL, json=message_update(502, "/start"), headers=headers)
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert fake_telegram.calls("sendMessage") == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProcessedUpdate)) == 0


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"message": {}}',
        b'{"update_id": "7"}',
        b'{"update_id": -1}',
        b'{"update_id": 5, "message": {"text": "no chat"}}',
        b'{"update_id": 5, "message": "text"}',
        b'{"update_id": 123456789012345678901234567890}',
        b'{"update_id": 5, "message": {"message_id": 1, "date": 1, "text": "/start",'
        b' "chat": {"id": "abc", "type": "private"}}}',
        b'{"update_id": 5, "callback_query": {"id": "q", "from": {"id": null}}}',
    ],
    ids=[
        "garbage",
        "list",
        "no-id",
        "string-id",
        "negative-id",
        "broken-message",
        "message-not-object",
        "huge-id",
        "string-chat-id",
        "null-user-id",
    ],
)
def test_a_body_that_is_not_an_update_is_422(app, client, body):
    """Is a body that is not a Telegram update a 422 problem (never a 500)?"""
    response = client.post(
        URL, data=body, content_type="application/json", headers=webhook_headers(app)
    )
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


def test_an_update_nobody_handles_is_still_recorded(app, client, fake_telegram):
    """Is an update without a matching handler answered 200 and recorded once?"""
    update = message_update(503, "just chatting", update_id=90)
    assert client.post(URL, json=update, headers=webhook_headers(app)).json["duplicate"] is False
    assert client.post(URL, json=update, headers=webhook_headers(app)).json["duplicate"] is True
    assert fake_telegram.calls("sendMessage") == []


def test_without_a_token_the_webhook_is_404(build):
    """With no TELEGRAM_BOT_TOKEN, is the bot off and the webhook a 404 problem?"""
    app = build(environ={"TELEGRAM_BOT_TOKEN": ""})
    assert app.extensions["telebot"] is None
    response = app.test_client().post(URL, json=message_update(504, "/start"))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_a_failing_handler_leaves_the_update_for_redelivery(app, client, monkeypatch):
    """When a handler fails, is the update left unrecorded so Telegram's retry is handled?"""
    from bot.handlers import commands

    def broken(message):
        raise RuntimeError("handler bug")

    bot = app.extensions["telebot"]
    handler = next(h for h in bot.message_handlers if h["function"] is commands.start)
    monkeypatch.setitem(handler, "function", broken)
    update = message_update(505, "/start", update_id=91)
    assert client.post(URL, json=update, headers=webhook_headers(app)).status_code == 500
    monkeypatch.undo()
    assert client.post(URL, json=update, headers=webhook_headers(app)).json["duplicate"] is False


@pytest.mark.postgres
def test_one_update_at_two_processes_at_once_is_handled_once(postgres_url, fake_telegram):
    """When Telegram's retry reaches another process while the first still handles the update,
    is it handled once (one message) on PostgreSQL?"""
    import threading

    from tests.fixtures.app import build_app

    apps = [build_app(postgres_url, bot_overrides(fake_telegram)) for _ in range(2)]
    with apps[0].app_context():
        db.create_all()
    update = message_update(801, "/start", update_id=4242)
    barrier = threading.Barrier(10)
    answers = []

    def post(app):
        client = app.test_client()
        barrier.wait()
        answers.append(client.post(URL, json=update, headers=webhook_headers(app)).json)

    threads = [threading.Thread(target=post, args=(apps[i % 2],)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a["duplicate"] for a in answers) == [False] + [True] * 9
    assert len(fake_telegram.messages(801)) == 1
    for app in apps:
        with app.app_context():
            db.engine.dispose()
