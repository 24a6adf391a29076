"""The ticket form: one user's questionnaire, a draft until submitted."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.database import TimestampMixin, UTCDateTime, value_enum
from webapp.extensions import Model


class FormStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class TicketForm(TimestampMixin, Model):
    __tablename__ = "ticket_forms"
    __table_args__ = (
        CheckConstraint("quantity IS NULL OR quantity BETWEEN 1 AND 10", name="quantity_range"),
        Index("ix_ticket_forms_user_created", "user_id", "created_at", "id"),
        Index("ix_ticket_forms_status_created", "status", "created_at"),
        Index("ix_ticket_forms_created", "created_at", "id"),  # review: all but drafts
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[FormStatus] = mapped_column(
        value_enum(FormStatus, "ticket_form_status"),
        default=FormStatus.DRAFT,
        nullable=False,
    )
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    ticket_type: Mapped[str | None] = mapped_column(String(32))
    quantity: Mapped[int | None] = mapped_column(Integer)
    dietary_requirements: Mapped[str | None] = mapped_column(String(500))
    accessibility_needs: Mapped[str | None] = mapped_column(String(500))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_reason: Mapped[str | None] = mapped_column(String(500))

    @property
    def preferences(self) -> dict[str, str | None]:
        return {
            "dietary_requirements": self.dietary_requirements,
            "accessibility_needs": self.accessibility_needs,
        }

    @property
    def is_draft(self) -> bool:
        return self.status == FormStatus.DRAFT

    def __repr__(self) -> str:
        return f"<TicketForm {self.id} {self.status}>"
