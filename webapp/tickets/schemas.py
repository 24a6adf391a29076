"""Wire schemas for ticket forms.

A draft may be partial: every field is optional, and a field that is present is checked
for type and length only (the quantity also for its 1-10 range). Formats (email, phone,
the configured ticket type) and completeness are checked at submit, by the service.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, field_validator

from webapp.api import Id, Input, Pagination, Params, Schema
from webapp.tickets.models import FormStatus


def _strip(value: object) -> object:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


class Preferences(Input):
    dietary_requirements: str | None = Field(None, max_length=500)
    accessibility_needs: str | None = Field(None, max_length=500)

    _strip = field_validator("*", mode="before")(_strip)


class FormIn(Input):
    """A draft's fields (create, or change with PUT: only the fields sent change)."""

    event_id: Id | None = None
    name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=32)
    ticket_type: str | None = Field(None, max_length=32)
    quantity: int | None = Field(None, ge=1, le=10)
    preferences: Preferences | None = None

    _strip = field_validator("name", "email", "phone", "ticket_type", mode="before")(_strip)


class FormPreferencesOut(Schema):
    dietary_requirements: str | None
    accessibility_needs: str | None


class FormOut(Schema):
    id: int
    event_id: int | None
    status: FormStatus
    name: str | None
    email: str | None
    phone: str | None
    ticket_type: str | None
    quantity: int | None
    preferences: FormPreferencesOut
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
    ticket_type: str | None = Field(None, max_length=32)
    event_id: Id | None = None
    search: str | None = Field(None, max_length=200, description="name, email or phone")


class DecisionIn(Input):
    decision: Literal["approved", "rejected"]
    reason: str | None = Field(None, max_length=500)
