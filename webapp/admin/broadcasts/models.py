"""A broadcast: one message an admin sent to an audience, and who it was for.

A job queues its messages after the request that sent it (`queued_at`, None until then);
they are ordinary outbox rows carrying its id (`OutgoingMessage.broadcast_id`), so
the delivery report is a GROUP BY over them and cancelling is one UPDATE of the pending ones.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.database import UTCDateTime, utcnow
from webapp.extensions import Model
from webapp.users.models import User


class Broadcast(Model):
    __tablename__ = "broadcasts"
    __table_args__ = (
        # The sweep's question: which broadcasts are still preparing (few, or none).
        Index(
            "ix_broadcasts_preparing",
            "id",
            postgresql_where=text("queued_at IS NULL"),
            sqlite_where=text("queued_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    # {"all": true} | {"role": …} | {"event_id": …} | {"category": …, "city": …} | {"language": …}
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    # {"path": "/events/7", "text": "Open"} or None
    button: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    recipients: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a job queued its messages (`services.prepare_broadcast`); None: still preparing.
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User] = relationship(User, lazy="joined")

    def __repr__(self) -> str:
        return f"<Broadcast {self.id} to {self.recipients}>"
