"""What the bot says to users (in Russian and English): its replies, its menu button, the
webhook's refusals. Call the functions inside `flask_babel.force_locale(...)`.

The bot itself is the top-level `bot/` package (it sits above the features); its words live
here, in the core, so `scripts/translations.py` gives them a catalog of their own
(`webapp/bot_texts/translations`) next to the other features'.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

BOT_OFF = _l("The bot is not configured on this server.")
BAD_SECRET = _l("The webhook secret token is missing or wrong.")
BAD_UPDATE = _l("The body is not a Telegram update.")


def greeting(name: str) -> str:
    return gettext(
        "Hello, %(name)s! Tasks, events, tickets, problems and urgent jobs are all in the app.",
        name=name,
    )


def greeting_with_link(name: str) -> str:
    return gettext("Hello, %(name)s! Tap the button to open what you were sent.", name=name)


def open_app() -> str:
    return gettext("Open the app")


def help_text() -> str:
    return gettext(
        "What I can do:\n"
        "/start — open the app\n"
        "/help — this list\n\n"
        "I also send you reminders, confirmations and new urgent jobs."
    )


def task_button_answer(outcome: str) -> str:
    """What a press of a task reminder's button did (`webapp.tasks.services.ReminderAnswer`)."""
    answers = {
        "done": gettext("Done. Well done!"),
        "already_done": gettext("This task is already done."),
        "snoozed": gettext("I will remind you again in an hour."),
        "already_snoozed": gettext("This reminder was already moved."),
    }
    return answers.get(outcome) or gettext("This task is no longer there.")
