"""Bot API calls a handler makes in the webhook that must never fail the update.

Telegram redelivers an update whose webhook call fails, so a failed answer or refund is
logged (with the bot token taken out of telebot's error, which names `/bot<token>/<method>`)
and the handler goes on: the decision it reports is made either way.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def without_token(bot: Any, exc: Exception) -> str:
    """The error's text with the bot's token replaced by `<token>`."""
    return str(exc).replace(bot.token, "<token>") if bot.token else str(exc)


def answer_button(bot: Any, call: Any, text: str) -> None:
    """Answer a callback query (Telegram wants each one answered); log a failure."""
    try:
        bot.answer_callback_query(call.id, text=text)
    except Exception as exc:
        log.warning("answerCallbackQuery failed for %s: %s", call.id, without_token(bot, exc))
