"""`POST /telegram/webhook`: Telegram's updates in, handled once, answered at once.

The secret header is compared in constant time; a bad one is a 403 problem, a body that is
not an update a 422, a server without a bot a 404. Handlers only write to the database
(the outbox); messages go out after commit from a job, so the answer takes milliseconds.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, current_app, jsonify, request

from bot.factory import use_api_url
from bot.updates import handle_update
from webapp import bot_texts
from webapp.errors import Forbidden, NotFound

bp = Blueprint("telegram", __name__, url_prefix="/telegram")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@bp.post("/webhook")
def webhook():
    bot = current_app.extensions.get("telebot")
    if bot is None:
        raise NotFound(bot_texts.BOT_OFF)
    expected = (current_app.config.get("TELEGRAM_WEBHOOK_SECRET") or "").encode()
    given = request.headers.get(SECRET_HEADER, "").encode()
    if not expected or not hmac.compare_digest(given, expected):
        raise Forbidden(bot_texts.BAD_SECRET)
    use_api_url(current_app)  # handlers that must answer synchronously use telebot's calls
    handled = handle_update(bot, request.get_json(silent=True))
    return jsonify({"ok": True, "duplicate": not handled})
