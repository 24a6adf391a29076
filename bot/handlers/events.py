"""Event buttons in the chat: Approve and Reject under an application the organiser got.

Each press is a callback query (`event:approve:<event id>:<user id>` or `event:reject:…`),
handled once inside the webhook's unit of work (the update's `processed_updates` row); the
rules — only the organiser or an admin decides, a second press changes nothing, capacity
and the waitlist — are `webapp.events.services`'. The answer (a short notice over the chat)
is synchronous, as Telegram wants every callback query answered; a failed answer is logged,
never a webhook error (the decision is made either way).
"""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale

from bot.handlers.safely import answer_button
from webapp.events import notify, services
from webapp.i18n import user_locale


def is_event_button(call: Any) -> bool:
    return (call.data or "").startswith(notify.CALLBACK_PREFIX + ":")


def press(bot: Any, call: Any) -> None:
    """Approve or reject (once) and tell the organiser what happened."""
    parts = (call.data or "").split(":")
    try:
        action, event_id, user_id = parts[1], int(parts[2]), int(parts[3])
    except (IndexError, ValueError):
        action, event_id, user_id = "", 0, 0
    if action in ("approve", "reject") and 0 < event_id < 2**31 and 0 < user_id < 2**31:
        answer = services.decide_from_chat(call.from_user.id, action, event_id, user_id)
    else:
        answer = services.ChatAnswer.GONE
    with force_locale(user_locale(call.from_user)):
        text = notify.chat_answer(answer)
    answer_button(bot, call, text)


def register(bot: Any) -> None:
    bot.callback_query_handler(func=is_event_button)(lambda call: press(bot, call))
