"""The buttons under a task reminder: "Done" ticks the task, "Snooze 1 h" moves the reminder.

Each press is a callback query, handled once inside the webhook's unit of work (the
update's `processed_updates` row); the rules — whose task it is, a second press of the same
button doing nothing — are `webapp.tasks.services`'. The answer (a short notice over the
chat) is synchronous, as Telegram wants every callback query answered; a failed answer is
logged, never a webhook error (the change is made either way).
"""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale

from bot.handlers.safely import answer_button
from webapp import bot_texts
from webapp.i18n import user_locale
from webapp.tasks import services


def is_task_button(call: Any) -> bool:
    return (call.data or "").startswith(services.CALLBACK_PREFIX + ":")


def press(bot: Any, call: Any) -> None:
    """Do what the button says (once) and tell the user what happened."""
    parts = (call.data or "").split(":")
    try:
        action, task_id = parts[1], int(parts[2])
        stamp = int(parts[3]) if action == "snooze" else 0
    except (IndexError, ValueError):
        action, task_id, stamp = "", 0, 0
    if action == "done":
        outcome, _task = services.done_from_reminder(call.from_user.id, task_id)
    elif action == "snooze":
        outcome, _task = services.snooze_from_reminder(call.from_user.id, task_id, stamp)
    else:
        outcome = services.ReminderAnswer.GONE
    with force_locale(user_locale(call.from_user)):
        text = bot_texts.task_button_answer(outcome)
    answer_button(bot, call, text)


def register(bot: Any) -> None:
    bot.callback_query_handler(func=is_task_button)(lambda call: press(bot, call))
