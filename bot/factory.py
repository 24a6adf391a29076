"""`create_bot(app)`: the app's `TeleBot`, kept in `app.extensions["telebot"]`.

`threaded=False`: handlers run in the caller's thread, inside the webhook's app context and
unit of work. No network call here (no `set_webhook` at start-up: `flask bot set-webhook`).
pyTelegramBotAPI keeps its server address in a module global, so the last app built in a
process decides it (one app per process in production); `use_api_url` sets it again before
an admin call.
"""

from __future__ import annotations

from flask import Flask, current_app
from telebot import TeleBot, apihelper

from bot.handlers import register_handlers


def create_bot(app: Flask) -> TeleBot | None:
    """The bot for `TELEGRAM_BOT_TOKEN` talking to `TELEGRAM_API_URL`; None without a token."""
    token = app.config.get("TELEGRAM_BOT_TOKEN")
    if not token:
        app.extensions["telebot"] = None
        return None
    use_api_url(app)
    bot = TeleBot(token, threaded=False)
    register_handlers(bot)
    app.extensions["telebot"] = bot
    return bot


def use_api_url(app: Flask) -> None:
    apihelper.API_URL = app.config["TELEGRAM_API_URL"].rstrip("/") + "/bot{0}/{1}"


def get_bot() -> TeleBot | None:
    return current_app.extensions.get("telebot")
