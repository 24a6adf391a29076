"""The bot outbox, read-only: every message queued for Telegram and how its delivery went."""

from __future__ import annotations

from typing import Any

from flask_admin import Admin
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from webapp.admin.access import SecureModelView
from webapp.admin.formatters import code_column, json_column, verbatim
from webapp.extensions import db
from webapp.outbox import OutgoingMessage

PREVIEW = 80


def _preview(_view: Any, _context: Any, message: OutgoingMessage, _name: str) -> Markup:
    """The start of the message as it was written (in its recipient's language)."""
    text = message.text or ""
    return verbatim(text if len(text) <= PREVIEW else text[: PREVIEW - 1] + "…")


class OutboxView(SecureModelView):
    column_list = (
        "id",
        "chat_id",
        "status",
        "text",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
    )
    column_filters = ("status", "chat_id", "created_at", "sent_at")
    column_searchable_list = ("text", "dedupe_key")
    column_default_sort = ("id", True)
    column_labels = {
        "broadcast_id": _l("Broadcast"),
        "broadcast": _l("Broadcast"),
        "chat_id": _l("Chat"),
        "status": _l("Status"),
        "text": _l("Text"),
        "attempts": _l("Attempts"),
        "last_error": _l("Last error"),
        "created_at": _l("Created"),
        "next_attempt_at": _l("Next attempt"),
        "sent_at": _l("Sent"),
        "dedupe_key": _l("Dedupe key"),
        "reply_markup": _l("Buttons"),
        "parse_mode": _l("Parse mode"),
    }
    # What was sent and what Telegram answered are data, shown as they are.
    column_formatters = {
        "text": _preview,
        "reply_markup": json_column,
        "dedupe_key": code_column,
        "parse_mode": code_column,
        "last_error": code_column,
    }
    column_formatters_detail = {
        **column_formatters,
        "text": lambda _v, _c, message, _n: verbatim(message.text),
    }


def register(admin: Admin) -> None:
    admin.add_view(OutboxView(OutgoingMessage, db, name=_l("Bot outbox"), endpoint="outbox"))
