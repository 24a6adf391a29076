"""Bot API calls a handler must survive: a failed answer is logged without the bot's token
and never raised into the webhook (Telegram would redeliver the update)."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

from bot.handlers.safely import answer_button, without_token

TOKEN = "123456789:SECRET-token-part"


class _FailingBot:
    token = TOKEN

    def answer_callback_query(self, call_id: str, text: str) -> None:
        raise RuntimeError(
            f"A request to https://api.telegram.org/bot{TOKEN}/answerCallbackQuery failed"
        )


def test_a_failed_answer_is_logged_without_the_token(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.handlers.safely"):
        answer_button(_FailingBot(), SimpleNamespace(id="77"), "Done")
    (record,) = caplog.records
    assert "answerCallbackQuery failed for 77" in record.getMessage()
    assert "SECRET-token-part" not in record.getMessage()
    assert "/bot<token>/" in record.getMessage()


def test_an_error_without_a_token_is_kept_as_it_is() -> None:
    bot = SimpleNamespace(token="")
    assert without_token(bot, RuntimeError("timed out")) == "timed out"
