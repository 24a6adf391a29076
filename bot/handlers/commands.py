"""`/start [payload]` and `/help`, in the user's language."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from flask import current_app
from flask_babel import force_locale
from telebot import TeleBot
from telebot.types import Message

from bot.sender import unblock_chat
from webapp import bot_texts
from webapp.i18n import user_locale
from webapp.outbox import queue_message

START_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def register(bot: TeleBot) -> None:
    bot.register_message_handler(start, commands=["start"])
    bot.register_message_handler(help_command, commands=["help"])


def start(message: Message) -> None:
    """Greet, and offer the Mini App (opened at the payload's page, if any)."""
    payload = start_payload(message.text)
    unblock_chat(message.chat.id)  # writing to the bot again undoes a block
    with force_locale(user_language(message)):
        name = message.from_user.first_name if message.from_user else ""
        text = bot_texts.greeting_with_link(name) if payload else bot_texts.greeting(name)
        markup = web_app_keyboard(bot_texts.open_app(), payload)
    queue_message(message.chat.id, text, reply_markup=markup)


def help_command(message: Message) -> None:
    with force_locale(user_language(message)):
        text = bot_texts.help_text()
        markup = web_app_keyboard(bot_texts.open_app(), None)
    queue_message(message.chat.id, text, reply_markup=markup)


def start_payload(text: str | None) -> str | None:
    """`/start event_5` → `event_5`; anything outside `[A-Za-z0-9_-]{1,64}` → None."""
    parts = (text or "").split(maxsplit=1)
    if len(parts) < 2:
        return None
    payload = parts[1].strip()
    return payload if START_PAYLOAD.match(payload) else None


def user_language(message: Message) -> str:
    return user_locale(message.from_user)


def webapp_url(payload: str | None) -> str:
    """`WEBAPP_URL`, with `startapp=<payload>` added to its query when there is one."""
    url = current_app.config["WEBAPP_URL"]
    if not payload:
        return url
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode({"startapp": payload})) if q)
    return urlunsplit(parts._replace(query=query))


def web_app_keyboard(label: str, payload: str | None) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": label, "web_app": {"url": webapp_url(payload)}}]]}
