"""Wire schemas of `/api/admin/broadcasts`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from flask_babel import lazy_gettext as _l
from pydantic import Field, model_validator

from webapp.admin.broadcasts.services import Audience, Button
from webapp.api import Id, Input, Params, Schema
from webapp.users.models import Role

ONE_AUDIENCE = _l(
    "Choose one audience: all, a role, an event, a category with a city, or a language."
)


class AudienceIn(Input):
    """One of `{"all": true}`, `{"role": "teacher"}`, `{"event_id": 7}`,
    `{"category": "courier", "city": "Moscow"}` (a city by id or name), `{"language": "ru"}`."""

    all: Literal[True] | None = None
    role: Role | None = None
    event_id: Id | None = None
    category: str | None = Field(None, min_length=1, max_length=64)
    city: Id | Annotated[str, Field(min_length=1, max_length=100)] | None = Field(
        None, description="A GeoNames id or a city's name."
    )
    language: str | None = Field(None, min_length=2, max_length=8)

    @model_validator(mode="after")
    def _one_kind(self) -> AudienceIn:
        kinds = [
            self.all is not None,
            self.role is not None,
            self.event_id is not None,
            self.category is not None or self.city is not None,
            self.language is not None,
        ]
        market = (self.category is None) == (self.city is None)
        if sum(kinds) != 1 or not market:
            raise ValueError(str(ONE_AUDIENCE))
        return self

    def audience(self) -> Audience:
        return Audience(
            all=bool(self.all),
            role=self.role,
            event_id=self.event_id,
            category=self.category,
            city=self.city,
            language=self.language,
        )


class ButtonIn(Input):
    """An "Open" button under the message: a page of the Mini App (`/`, `/events/7`…)."""

    path: str = Field("/", min_length=1, max_length=200)
    text: str | None = Field(None, min_length=1, max_length=64)

    def button(self) -> Button:
        return Button(path=self.path, text=self.text)


class MessageIn(Input):
    text: str = Field(..., min_length=1, max_length=20000)
    button: ButtonIn | None = None


class BroadcastIn(MessageIn):
    audience: AudienceIn


class AudienceCountIn(Input):
    audience: AudienceIn


class RecipientsOut(Schema):
    recipients: int


class BroadcastCreated(Schema):
    id: int
    recipients: int


class BroadcastPath(Params):
    broadcast_id: Id


class BroadcastOut(Schema):
    """A broadcast and its delivery so far (`queued`: still waiting to be sent)."""

    id: int
    state: Literal["preparing", "sending", "done", "cancelled"] = Field(
        description="preparing: a job is queueing its messages (`recipients` is the count "
        "when it was sent until then)"
    )
    recipients: int
    queued: int
    sent: int
    blocked: int
    failed: int
    cancelled: int
    rate: float | None = Field(None, description="Messages a second achieved so far.")
    first_sent_at: datetime | None
    last_sent_at: datetime | None
    text: str
    audience: dict[str, Any]
    button: dict[str, Any] | None
    created_at: datetime
    cancelled_at: datetime | None

    @classmethod
    def of(cls, report: Any) -> BroadcastOut:
        b = report.broadcast
        return cls(
            id=b.id,
            state=report.state,
            recipients=b.recipients,
            queued=report.queued,
            sent=report.sent,
            blocked=report.blocked,
            failed=report.failed,
            cancelled=report.cancelled,
            rate=report.rate,
            first_sent_at=report.first_sent_at,
            last_sent_at=report.last_sent_at,
            text=b.text,
            audience=b.audience,
            button=b.button,
            created_at=b.created_at,
            cancelled_at=b.cancelled_at,
        )


class BroadcastSummary(Schema):
    id: int
    recipients: int
    text: str
    audience: dict[str, Any]
    created_at: datetime
    cancelled_at: datetime | None
