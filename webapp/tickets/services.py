"""Ticket form rules (SPEC §5 tickets).

* A form belongs to its user; anyone else gets 404. It may name an event (422 if there is
  no such event).
* A draft may be partial; only drafts change or are deleted (409 otherwise).
* Submitting checks every field — name, an email (email-validator), a phone number
  (phonenumbers; a number without `+` is read as Russian; stored as E.164), a ticket type
  from `TICKET_TYPES`, a quantity 1-10 — answers all problems at once (422), then locks
  the form and queues the bot's confirmation (once: `ticket-submitted:<id>`).
* An admin approves or rejects a submitted form (409 for any other status); the user is
  told in chat (`ticket-decision:<id>`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, or_, select

from webapp.auth.roles import require_admin
from webapp.database import utcnow
from webapp.errors import Conflict, NotFound, ValidationFailed, field_error
from webapp.events.models import Event
from webapp.extensions import db
from webapp.i18n import choice_name, user_locale
from webapp.outbox import queue_message
from webapp.pagination import Page, paginate
from webapp.tickets.models import FormStatus, TicketForm
from webapp.users.models import User

DEFAULT_PHONE_REGION = "RU"
FIELDS = ("event_id", "name", "email", "phone", "ticket_type", "quantity")
PREFERENCES = ("dietary_requirements", "accessibility_needs")
REQUIRED = ("name", "email", "phone", "ticket_type", "quantity")


@dataclass(frozen=True)
class AdminFilters:
    status: FormStatus | None = None
    ticket_type: str | None = None
    event_id: int | None = None
    search: str | None = None


def ticket_types() -> list[str]:
    return list(current_app.config["TICKET_TYPES"])


# --- the user's own forms ----------------------------------------------------------------


NEWEST_FIRST = (TicketForm.created_at.desc(), TicketForm.id.desc())


def list_forms(user: User, *, skip: int = 0, limit: int = 20) -> Page[TicketForm]:
    """The user's forms, newest first."""
    query = select(TicketForm).where(TicketForm.user_id == user.id)
    return paginate(query, NEWEST_FIRST, skip=skip, limit=limit)


def latest_form(user: User) -> TicketForm:
    form = latest_or_none(user)
    if form is None:
        raise NotFound(_l("You have no ticket forms yet."))
    return form


def latest_or_none(user: User, *, status: FormStatus | None = None) -> TicketForm | None:
    query = select(TicketForm).where(TicketForm.user_id == user.id)
    if status is not None:
        query = query.where(TicketForm.status == status)
    return db.session.scalars(
        query.order_by(TicketForm.created_at.desc(), TicketForm.id.desc()).limit(1)
    ).first()


def get_form(user: User, form_id: int, *, lock: bool = False) -> TicketForm:
    """The user's form, or NotFound; `lock` takes the row lock (changes and submit)."""
    query = select(TicketForm).where(TicketForm.id == form_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    form = db.session.scalars(query).first()
    if form is None or form.user_id != user.id:
        raise NotFound(_l("No such ticket form."))
    return form


def create_form(user: User, fields: dict[str, Any]) -> TicketForm:
    form = TicketForm(user_id=user.id, status=FormStatus.DRAFT)
    _apply(form, fields)
    db.session.add(form)
    db.session.flush()
    return form


def update_draft(user: User, form_id: int, fields: dict[str, Any]) -> TicketForm:
    """Change the fields given; only a draft changes (409 once submitted)."""
    form = get_form(user, form_id, lock=True)
    _require_draft(form)
    _apply(form, fields)
    db.session.flush()
    return form


def delete_draft(user: User, form_id: int) -> None:
    form = get_form(user, form_id, lock=True)
    _require_draft(form)
    db.session.delete(form)
    db.session.flush()


def submit(user: User, form_id: int, *, now: datetime | None = None) -> TicketForm:
    """Check every field, lock the form as submitted, queue the bot's confirmation."""
    form = get_form(user, form_id, lock=True)
    _require_draft(form)
    normalised, errors = check_fields(form_values(form), complete=True)
    if errors:
        raise ValidationFailed(_l("Some answers are missing or invalid."), errors=errors)
    for name, value in normalised.items():
        setattr(form, name, value)
    form.status = FormStatus.SUBMITTED
    form.submitted_at = now or utcnow()
    db.session.flush()
    if user.telegram_id is not None:
        with force_locale(user_locale(user)):
            text = _(
                "Your ticket request #%(id)s is received: %(quantity)s x %(type)s. "
                "We will write when it is reviewed.",
                id=form.id,
                quantity=form.quantity,
                type=choice_name("ticket_type", form.ticket_type),
            )
        queue_message(user.telegram_id, text, dedupe_key=f"ticket-submitted:{form.id}")
    return form


def check_fields(
    values: dict[str, Any], *, complete: bool
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Check the submit rules: (normalised values, field errors).

    `complete=False` checks only the fields that are filled in (the page shows these
    while the user types); `complete=True` also demands every required field.
    """
    errors: list[dict[str, str]] = []
    normalised: dict[str, Any] = {}
    if complete:
        for name in REQUIRED:
            if values.get(name) in (None, ""):
                errors.append(field_error(name, _l("This field is required."), "missing"))
    email = values.get("email")
    if email:
        try:
            normalised["email"] = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            errors.append(field_error("email", _l("Enter a valid email address.")))
    phone = values.get("phone")
    if phone:
        e164 = normalise_phone(phone)
        if e164 is None:
            errors.append(field_error("phone", _l("Enter a valid phone number.")))
        else:
            normalised["phone"] = e164
    ticket_type = values.get("ticket_type")
    if ticket_type and ticket_type not in ticket_types():
        errors.append(
            field_error(
                "ticket_type",
                _l("Choose one of: %(types)s.", types=", ".join(ticket_types())),
            )
        )
    quantity = values.get("quantity")
    if quantity is not None and not 1 <= quantity <= 10:
        errors.append(field_error("quantity", _l("From 1 to 10 tickets.")))
    return normalised, errors


def normalise_phone(raw: str) -> str | None:
    """A valid phone number in E.164 (`+79991234567`), or None."""
    try:
        number = phonenumbers.parse(raw, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _require_draft(form: TicketForm) -> None:
    if form.status != FormStatus.DRAFT:
        raise Conflict(_l("This form has been submitted and can no longer change."))


def _apply(form: TicketForm, fields: dict[str, Any]) -> None:
    """Copy the given fields (`preferences` is a nested mapping) onto the form."""
    if fields.get("event_id") is not None and db.session.get(Event, fields["event_id"]) is None:
        raise ValidationFailed(
            _l("No such event."), errors=[field_error("event_id", _l("No such event."))]
        )
    for name in FIELDS:
        if name in fields:
            setattr(form, name, fields[name])
    preferences = fields.get("preferences")
    if preferences is not None:
        for name in PREFERENCES:
            if name in preferences:
                setattr(form, name, preferences[name])


def form_values(form: TicketForm) -> dict[str, Any]:
    return {name: getattr(form, name) for name in (*FIELDS, *PREFERENCES)}


# --- admin -------------------------------------------------------------------------------

# Drafts are their owners' business until submitted: admins review every other status.
REVIEW_STATUSES = tuple(status for status in FormStatus if status != FormStatus.DRAFT)


def under_review() -> ColumnElement[bool]:
    """Which forms admins review (the API, the CSV and the dashboard list): not drafts."""
    return TicketForm.status != FormStatus.DRAFT


def get_for_review(actor: User, form_id: int) -> TicketForm:
    """One form for an admin to review; a draft is NotFound, as a missing form is."""
    require_admin(actor)
    form = db.session.get(TicketForm, form_id)
    if form is None or form.is_draft:
        raise NotFound(_l("No such ticket form."))
    return form


def _admin_query(filters: AdminFilters) -> Select[tuple[TicketForm]]:
    """The review list; an explicit `status` filter (even `draft`) replaces the default."""
    query = select(TicketForm)
    if filters.status is not None:
        query = query.where(TicketForm.status == filters.status)
    else:
        query = query.where(under_review())
    if filters.ticket_type:
        query = query.where(TicketForm.ticket_type == filters.ticket_type)
    if filters.event_id is not None:
        query = query.where(TicketForm.event_id == filters.event_id)
    if filters.search and filters.search.strip():
        term = filters.search.strip()
        query = query.where(
            or_(
                TicketForm.name.icontains(term, autoescape=True),
                TicketForm.email.icontains(term, autoescape=True),
                TicketForm.phone.icontains(term, autoescape=True),
            )
        )
    return query


def admin_list(
    actor: User, filters: AdminFilters, *, skip: int = 0, limit: int = 20
) -> Page[TicketForm]:
    """Forms for review (everything but drafts unless `status` asks), newest first."""
    require_admin(actor)
    return paginate(_admin_query(filters), NEWEST_FIRST, skip=skip, limit=limit)


CSV_COLUMNS = (
    "id",
    "status",
    "user_id",
    "event_id",
    "name",
    "email",
    "phone",
    "ticket_type",
    "quantity",
    "dietary_requirements",
    "accessibility_needs",
    "created_at",
    "submitted_at",
    "decided_at",
    "decision_reason",
)
CSV_FILENAME = "ticket-forms.csv"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """One CSV cell, safe to open in a spreadsheet (no formula injection)."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def admin_csv(actor: User, filters: AdminFilters) -> Iterator[str]:
    """The filtered forms as CSV, streamed a chunk of rows at a time."""
    require_admin(actor)
    return _csv_rows(_admin_query(filters).order_by(TicketForm.id))


def _csv_rows(query: Select[tuple[TicketForm]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        chunk = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return chunk

    writer.writerow(CSV_COLUMNS)
    yield flush()
    for count, form in enumerate(
        db.session.scalars(query.execution_options(yield_per=500)), start=1
    ):
        writer.writerow([csv_cell(getattr(form, column)) for column in CSV_COLUMNS])
        if count % 500 == 0:
            yield flush()
    yield flush()


def decide(
    actor: User, form_id: int, decision: str, reason: str | None, *, now: datetime | None = None
) -> TicketForm:
    """Approve or reject a submitted form (admins); the user hears about it in chat."""
    require_admin(actor)
    form = db.session.scalars(
        select(TicketForm)
        .where(TicketForm.id == form_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if form is None:
        raise NotFound(_l("No such ticket form."))
    if form.status != FormStatus.SUBMITTED:
        raise Conflict(_l("Only a submitted form can be approved or rejected."))
    form.status = FormStatus(decision)
    form.decision_reason = (reason or "").strip() or None
    form.decided_at = now or utcnow()
    form.decided_by_id = actor.id
    db.session.flush()
    owner = db.session.get(User, form.user_id)
    if owner is not None and owner.telegram_id is not None:
        with force_locale(user_locale(owner)):
            if form.status == FormStatus.APPROVED:
                text = _("Your ticket request #%(id)s is approved.", id=form.id)
            else:
                text = _("Your ticket request #%(id)s is declined.", id=form.id)
            if form.decision_reason:
                text += "\n" + form.decision_reason
        queue_message(owner.telegram_id, text, dedupe_key=f"ticket-decision:{form.id}")
    return form
