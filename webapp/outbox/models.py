"""The outbox's table: every message the bot will send, stored in the sender's unit of work.

A `dedupe_key` makes "exactly once" a database constraint (reminders, confirmations).
The table keeps its name (`outgoing_messages`): moving the model changed no schema.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.database import UTCDateTime, utcnow, value_enum
from webapp.extensions import Model


class MessageStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"  # withdrawn before it was sent (a cancelled broadcast)


class OutgoingMessage(Model):
    __tablename__ = "outgoing_messages"
    __table_args__ = (
        Index("ix_outgoing_messages_due", "status", "next_attempt_at"),
        Index("ix_outgoing_messages_broadcast", "broadcast_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, nullable=False, index=True)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    reply_markup: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    parse_mode: Mapped[str | None] = mapped_column(String(16))
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[MessageStatus] = mapped_column(
        value_enum(MessageStatus, "message_status"),
        default=MessageStatus.PENDING,
        nullable=False,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The dashboard broadcast this message is part of (its delivery report counts by it).
    broadcast_id: Mapped[int | None] = mapped_column(Integer)
