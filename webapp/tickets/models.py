"""Ticket forms and the questionnaires they answer.

A questionnaire (the default one, or one per event) is designed by admins; every design
change is a new immutable `QuestionnaireVersion` (its ordered fields as JSON, checked by
`webapp.tickets.designs.Design`). A form keeps the version it was started (and submitted)
against, so a later design change never breaks it.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.database import TimestampMixin, UTCDateTime, utcnow, value_enum
from webapp.extensions import Model


class FormStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class Questionnaire(TimestampMixin, Model):
    """The default questionnaire (`is_default`, no event) or one event's own."""

    __tablename__ = "questionnaires"
    __table_args__ = (
        # `is_default` is TRUE or NULL: the unique constraint allows one default only.
        CheckConstraint(
            "(event_id IS NULL AND is_default IS NOT NULL) "
            "OR (event_id IS NOT NULL AND is_default IS NULL)",
            name="default_or_event",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    is_default: Mapped[bool | None] = mapped_column(Boolean, unique=True)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), unique=True
    )
    # The number of the current version (the highest one).
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    def __repr__(self) -> str:
        return f"<Questionnaire {self.id} v{self.version}>"


class QuestionnaireVersion(Model):
    """One design of a questionnaire, never changed once written."""

    __tablename__ = "questionnaire_versions"
    __table_args__ = (UniqueConstraint("questionnaire_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="CASCADE"), nullable=False
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    title_en: Mapped[str] = mapped_column(String(200), nullable=False)
    title_ru: Mapped[str] = mapped_column(String(200), nullable=False)
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    questionnaire: Mapped[Questionnaire] = relationship(
        Questionnaire, lazy="joined", innerjoin=True
    )

    def __repr__(self) -> str:
        return f"<QuestionnaireVersion {self.questionnaire_id} v{self.number}>"


class TicketForm(TimestampMixin, Model):
    __tablename__ = "ticket_forms"
    __table_args__ = (
        Index("ix_ticket_forms_user_created", "user_id", "created_at", "id"),
        Index("ix_ticket_forms_status_created", "status", "created_at"),
        Index("ix_ticket_forms_created", "created_at", "id"),  # review: all but drafts
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True
    )
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_versions.id"), nullable=False, index=True
    )
    status: Mapped[FormStatus] = mapped_column(
        value_enum(FormStatus, "ticket_form_status"),
        default=FormStatus.DRAFT,
        nullable=False,
    )
    # {field key: answer}, as the version's fields say (text, number, bool, list of keys).
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    # The text answers joined, lower case: what the admins' search looks in.
    search_text: Mapped[str | None] = mapped_column(String(4000))
    # The applicant's own notes (admins' notes are `FormNote`s, never shown to them).
    notes: Mapped[str | None] = mapped_column(String(2000))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_reason: Mapped[str | None] = mapped_column(String(500))

    version: Mapped[QuestionnaireVersion] = relationship(
        QuestionnaireVersion, lazy="joined", innerjoin=True
    )

    @property
    def questionnaire_id(self) -> int:
        return self.version.questionnaire_id

    @property
    def questionnaire_version(self) -> int:
        return self.version.number

    @property
    def is_draft(self) -> bool:
        return self.status == FormStatus.DRAFT

    def __repr__(self) -> str:
        return f"<TicketForm {self.id} {self.status}>"


class FormNote(Model):
    """An admin's internal note on a form: written once, never changed, never shown to the
    applicant. The rows are their own audit trail (who wrote what, when)."""

    __tablename__ = "ticket_form_notes"
    __table_args__ = (Index("ix_ticket_form_notes_form", "form_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(
        ForeignKey("ticket_forms.id", ondelete="CASCADE"), nullable=False
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(String(2000), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    def __repr__(self) -> str:
        return f"<FormNote {self.id} on {self.form_id}>"
