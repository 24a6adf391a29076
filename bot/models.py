"""The bot's own tables: the updates it has handled and the chats that blocked it.

The outbox (the messages it will send) is the core's: `webapp/outbox/models.py`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from webapp.database import UTCDateTime, utcnow
from webapp.extensions import Model


class ProcessedUpdate(Model):
    """An update the bot has handled: its primary key makes "once per `update_id`" a
    database rule, inserted in the same transaction as the handling."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False, index=True
    )


class BlockedChat(Model):
    """A chat whose user blocked the bot (Telegram answered 403): nothing more is sent to it
    until the user talks to the bot again."""

    __tablename__ = "blocked_chats"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    blocked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
