"""Wire schemas for ticket forms and questionnaires.

A form's answers are `{question key: answer}`; what each answer may be is the design's
business (`webapp.tickets.designs`), checked by the service: a draft's answers for their
JSON shape, a submit's for every rule.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, field_validator

from webapp.api import Id, Input, Pagination, Params, Schema
from webapp.tickets.designs import Design, FieldSpec, Words
from webapp.tickets.models import FormStatus

ANSWERS_DOC = (
    "{question key: answer}: text, a number, true/false, or a list of option values, as "
    "the question's kind says (see the questionnaire's `fields`)"
)


class FormIn(Input):
    """A new draft: the questionnaire it answers (default: the event's, or the default
    one) and any answers so far."""

    questionnaire_id: Id | None = None
    event_id: Id | None = None
    answers: dict[str, Any] = Field(default_factory=dict, description=ANSWERS_DOC)
    notes: str | None = Field(None, max_length=2000, description="the applicant's own notes")

    @field_validator("answers")
    @classmethod
    def _few_answers(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > 100:
            raise ValueError("too many answers")
        return value


class FormChangeIn(Input):
    """A draft's change: the answers sent change (`null` clears one), the rest stay."""

    questionnaire_id: Id | None = Field(None, description="must be the form's own")
    answers: dict[str, Any] = Field(default_factory=dict, description=ANSWERS_DOC)
    notes: str | None = Field(None, max_length=2000)

    @field_validator("answers")
    @classmethod
    def _few_answers(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > 100:
            raise ValueError("too many answers")
        return value


class FormOut(Schema):
    id: int
    event_id: int | None
    questionnaire_id: int
    questionnaire_version: int
    status: FormStatus
    answers: dict[str, Any]
    notes: str | None
    submitted_at: datetime | None
    decided_at: datetime | None
    decision_reason: str | None
    created_at: datetime
    updated_at: datetime


class AdminFormOut(FormOut):
    user_id: int


class FormPath(Params):
    form_id: Id


class AdminFormQuery(Pagination):
    status: FormStatus | None = Field(None, description="default: everything but drafts")
    ticket_type: str | None = Field(None, max_length=40, description="the ticket_type answer")
    event_id: Id | None = None
    questionnaire_id: Id | None = None
    search: str | None = Field(None, max_length=200, description="in the text answers")


class DecisionIn(Input):
    decision: Literal["approved", "rejected"]
    reason: str | None = Field(None, max_length=500)


class NoteIn(Input):
    text: str = Field(min_length=1, max_length=2000)


class NoteOut(Schema):
    id: int
    form_id: int
    author_id: int | None
    text: str
    created_at: datetime


class NotesOut(Schema):
    items: list[NoteOut]


class QuestionnaireIn(Design):
    """A new questionnaire for an event (the default one always exists)."""

    event_id: Id


class QuestionnaireOut(Schema):
    """A questionnaire's current design (or the version asked for)."""

    id: int
    is_default: bool
    event_id: int | None
    version: int
    title: Words
    fields: list[FieldSpec]
    created_at: datetime


class QuestionnairePath(Params):
    questionnaire_id: Id


class QuestionnaireQuery(Params):
    version: int | None = Field(None, ge=1, le=2**31 - 1, description="default: the current")


class DesignQuery(Params):
    event_id: Id | None = None
