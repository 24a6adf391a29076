"""Feature handler modules plug into the bot through `HANDLER_MODULES`."""

from __future__ import annotations

from telebot import TeleBot

from bot.handlers import HANDLER_MODULES
from tests.fixtures.fake_telegram import bot_overrides, webhook_headers
from webapp.outbox import queue_message

SEEN: list[str] = []


def register(bot: TeleBot) -> None:
    """A feature's module: answers callback queries (as market's payments module will)."""
    bot.register_callback_query_handler(on_button, func=lambda call: True)


def on_button(call) -> None:
    SEEN.append(call.data)
    queue_message(call.from_user.id, f"pressed {call.data}")


def test_a_feature_module_listed_in_handler_modules_gets_its_updates(
    build, fake_telegram, monkeypatch
):
    """Does a module added to HANDLER_MODULES get registered and handle its updates inside
    the webhook's unit of work (its queued message is sent)?"""
    monkeypatch.setattr("bot.handlers.HANDLER_MODULES", [*HANDLER_MODULES, __name__])
    app = build(bot_overrides(fake_telegram))
    update = {
        "update_id": 31,
        "callback_query": {
            "id": "q1",
            "from": {"id": 950, "is_bot": False, "first_name": "Bo"},
            "chat_instance": "c",
            "data": "order_5",
        },
    }
    response = app.test_client().post(
        "/telegram/webhook", json=update, headers=webhook_headers(app)
    )
    assert response.status_code == 200
    assert SEEN == ["order_5"]
    assert [m["text"] for m in fake_telegram.messages(950)] == ["pressed order_5"]
