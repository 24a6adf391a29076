"""`queue_message`: the one way any feature sends a Telegram message.

Call it inside the unit of work that causes the message; the row commits (or rolls back)
with it. Delivery after commit, rate limits, retries and blocked users are the sender's
business (`bot/sender.py`), not the caller's: queueing marks the session, and the sender's
after-commit hook takes that mark (`take_queued_mark`) to start one delivery.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, Select, String, Text, func, literal, null, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from webapp.database import UTCDateTime, insert_ignoring_conflicts, utcnow
from webapp.extensions import db
from webapp.outbox.models import OutgoingMessage

QUEUED_MARK = "hub.outbox_dirty"


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
        _mark_queued()
        return True
    statement = insert_ignoring_conflicts(OutgoingMessage, db.session, **values)
    inserted = db.session.execute(statement.returning(statement.table.c.id)).first()
    if inserted is not None:
        _mark_queued()
    return inserted is not None


def queue_selected(
    recipients: Select[Any],
    text: str,
    *,
    reply_markup: dict[str, Any] | None = None,
    parse_mode: str | None = None,
    due_at: datetime | None = None,
    broadcast_id: int | None = None,
) -> int:
    """Queue the same message to every row of `recipients` in one `INSERT … SELECT`.

    `recipients` selects two columns, `chat_id` and `dedupe_key` (a key queued before is
    skipped, so queueing a set twice adds nothing). Nothing is read into Python, so a
    hundred thousand recipients cost one statement. The messages come due at `due_at`
    (now by default). Returns how many were queued.
    """
    now = utcnow()
    chosen = recipients.subquery()
    source = select(
        chosen.c.chat_id,
        literal(text, Text),
        literal(reply_markup, JSON) if reply_markup is not None else null(),
        literal(parse_mode, String) if parse_mode is not None else null(),
        chosen.c.dedupe_key,
        literal("pending", String),
        literal(0, Integer),
        literal(due_at or now, UTCDateTime),
        literal(now, UTCDateTime),
        literal(broadcast_id, Integer) if broadcast_id is not None else null(),
    ).where(chosen.c.chat_id.is_not(None))  # SQLite's upsert needs a WHERE in its SELECT
    columns = [
        "chat_id",
        "text",
        "reply_markup",
        "parse_mode",
        "dedupe_key",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
        "broadcast_id",
    ]
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = OutgoingMessage.__table__
    statement = insert(table).from_select(columns, source).on_conflict_do_nothing()
    if dialect == "postgresql":  # psycopg reports no rowcount here: count what it returns
        inserted = statement.returning(table.c.id).cte("inserted")
        queued = int(db.session.scalar(select(func.count()).select_from(inserted)) or 0)
    else:
        queued = int(getattr(db.session.execute(statement), "rowcount", 0) or 0)
    if queued:
        _mark_queued()
    return queued


def queued_for(chat_id: int) -> list[OutgoingMessage]:
    """Messages queued for a chat, oldest first (tests and the admin use it)."""
    return list(
        db.session.scalars(
            select(OutgoingMessage)
            .where(OutgoingMessage.chat_id == chat_id)
            .order_by(OutgoingMessage.id)
        )
    )


def _mark_queued() -> None:
    """Deliver once this session commits (read by the sender's after-commit hook)."""
    db.session.info[QUEUED_MARK] = True


def take_queued_mark(session: Session) -> bool:
    """Whether `session` queued a message since its last commit or rollback; clears the mark.

    The sender calls it after each commit (then it starts a delivery) and each rollback
    (then the queued rows are gone, and so is the reason to deliver).
    """
    return bool(session.info.pop(QUEUED_MARK, False))
