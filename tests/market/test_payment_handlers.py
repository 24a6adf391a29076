"""The bot's Stars handlers, driven through telebot's own update dispatch (no network: the
Bot API call is recorded). The webhook test against the fake Bot API server comes with the
bot package."""

from __future__ import annotations

from typing import Any

import pytest
from telebot import TeleBot
from telebot.types import Update

from bot.handlers import payments
from tests.fixtures.app import TEST_BOT_TOKEN
from tests.market.conftest import balance


@pytest.fixture
def bot(monkeypatch) -> TeleBot:
    telebot = TeleBot(TEST_BOT_TOKEN, threaded=False)
    telebot.answers: list[tuple[Any, ...]] = []  # type: ignore[attr-defined]

    def answer(query_id: str, ok: bool, error_message: str | None = None) -> bool:
        telebot.answers.append((query_id, ok, error_message))  # type: ignore[attr-defined]
        return True

    monkeypatch.setattr(telebot, "answer_pre_checkout_query", answer)
    payments.register(telebot)
    return telebot


def pre_checkout(user, payload: str, total: int, currency: str = "XTR") -> Update:
    return Update.de_json(
        {
            "update_id": 1,
            "pre_checkout_query": {
                "id": "q1",
                "from": {"id": user.telegram_id, "is_bot": False, "first_name": "T"},
                "currency": currency,
                "total_amount": total,
                "invoice_payload": payload,
            },
        }
    )


def successful_payment(user, payload: str, total: int, charge_id: str) -> Update:
    return Update.de_json(
        {
            "update_id": 2,
            "message": {
                "message_id": 5,
                "date": 1_700_000_000,
                "chat": {"id": user.telegram_id, "type": "private"},
                "from": {"id": user.telegram_id, "is_bot": False, "first_name": "T"},
                "successful_payment": {
                    "currency": "XTR",
                    "total_amount": total,
                    "invoice_payload": payload,
                    "telegram_payment_charge_id": charge_id,
                    "provider_payment_charge_id": "",
                },
            },
        }
    )


def test_pre_checkout_is_answered(app, bot, student):
    """Does the bot accept a matching pre-checkout query and refuse a changed amount?"""
    payload = f"topup:{student.id}:20:ff"
    with app.test_request_context("/telegram/webhook"):
        bot.process_new_updates([pre_checkout(student, payload, 20)])
        bot.process_new_updates([pre_checkout(student, payload, 21)])
    assert bot.answers[0] == ("q1", True, None)
    assert bot.answers[1][1] is False and bot.answers[1][2]


def test_successful_payment_is_credited_once(app, bot, student):
    """Is a redelivered successful_payment credited only once?"""
    update = successful_payment(student, f"topup:{student.id}:20:ff", 20, "tg-charge-1")
    with app.test_request_context("/telegram/webhook"):
        bot.process_new_updates([update])
    with app.test_request_context("/telegram/webhook"):
        bot.process_new_updates([update])
    assert balance(app, student) == 20 * 100
