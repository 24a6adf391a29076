"""`queue_message`: the one way any feature sends a Telegram message.

Call it inside the unit of work that causes the message; the row commits (or rolls back)
with it. Delivery after commit, rate limits, retries and blocked users are the sender's
business (`bot/sender.py`), not the caller's.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.models import OutgoingMessage
from bot.sender import mark_outbox_dirty
from webapp.database import insert_ignoring_conflicts, utcnow
from webapp.extensions import db


def queue_message(
    chat_id: int,
    text: str,
    *,
    reply_markup: dict[str, Any] | None = None,
    parse_mode: str | None = None,
    dedupe_key: str | None = None,
) -> bool:
    """Queue a message; return False when `dedupe_key` was queued before (nothing added)."""
    now = utcnow()
    values: dict[str, Any] = {
        "chat_id": chat_id,
        "text": text,
        "reply_markup": reply_markup,
        "parse_mode": parse_mode,
        "dedupe_key": dedupe_key,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    if dedupe_key is None:
        db.session.add(OutgoingMessage(**values))
        db.session.flush()
        mark_outbox_dirty()
        return True
    statement = insert_ignoring_conflicts(OutgoingMessage, db.session, **values)
    inserted = db.session.execute(statement.returning(statement.table.c.id)).first()
    if inserted is not None:
        mark_outbox_dirty()
    return inserted is not None


def queued_for(chat_id: int) -> list[OutgoingMessage]:
    """Messages queued for a chat, oldest first (tests and the admin use it)."""
    return list(
        db.session.scalars(
            select(OutgoingMessage)
            .where(OutgoingMessage.chat_id == chat_id)
            .order_by(OutgoingMessage.id)
        )
    )
