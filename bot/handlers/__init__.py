"""The bot's handlers, registered on a `TeleBot` by `register_handlers(bot)`.

Each module listed in `HANDLER_MODULES` has `register(bot)`; a feature adds its own module
(e.g. `bot.handlers.payments`) to the list. Handlers run inside the webhook's unit of work
(app context, database session, the update's `processed_updates` row) and never call the Bot
API to send a message: they `queue_message(...)`, and the sender delivers after commit.
"""

from __future__ import annotations

import importlib

from telebot import TeleBot

HANDLER_MODULES: list[str] = [
    "bot.handlers.commands",
    "bot.handlers.payments",
    "bot.handlers.tasks",
    "bot.handlers.event_commands",
    "bot.handlers.events",
]


def register_handlers(bot: TeleBot) -> None:
    for path in HANDLER_MODULES:
        importlib.import_module(path).register(bot)
