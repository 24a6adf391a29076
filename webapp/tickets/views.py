"""The tickets page: the questionnaire (autosaved as a draft) and past submissions.

Autosave posts the whole form; the answer only redraws the field errors and the save
status (out-of-band), so what the user is typing is never replaced. The checks are the
service's own submit checks, run on the fields filled in so far.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _

from webapp import htmx
from webapp.auth.identity import current, login_required
from webapp.errors import Conflict, ValidationFailed
from webapp.extensions import db
from webapp.forms import errors_by_field, validate_form
from webapp.tickets import services
from webapp.tickets.models import FormStatus, TicketForm
from webapp.tickets.schemas import FormIn

bp = Blueprint("tickets_pages", __name__, url_prefix="/tickets")
FIELD_NAMES = ("name", "email", "phone", "ticket_type", "quantity", *services.PREFERENCES)
SUBMISSIONS_SHOWN = 20


def _form_fields() -> dict[str, Any]:
    form = request.form
    fields: dict[str, Any] = {
        name: form.get(name, "") for name in ("name", "email", "phone", "ticket_type")
    }
    fields["quantity"] = (form.get("quantity") or "").strip() or None
    fields["preferences"] = {name: form.get(name, "") for name in services.PREFERENCES}
    event_id = (form.get("event_id") or "").strip()
    if event_id:
        fields["event_id"] = event_id
    return fields


def _context(draft: TicketForm | None, errors: dict[str, str] | None = None) -> dict[str, Any]:
    forms = services.list_forms(current(), limit=SUBMISSIONS_SHOWN).items
    return {
        "draft": draft,
        "errors": errors or {},
        "ticket_types": services.ticket_types(),
        "submissions": [f for f in forms if f.status != FormStatus.DRAFT],
        "event_id": request.args.get("event_id", type=int),
    }


@bp.get("")
@login_required
def tickets_page():
    """The questionnaire (my latest draft, or a blank one) and my past submissions."""
    draft = services.latest_or_none(current(), status=FormStatus.DRAFT)
    errors: dict[str, str] = {}
    if draft is not None:
        _values, found = services.check_fields(services.form_values(draft), complete=False)
        errors = errors_by_field(found)
    return render_template("tickets/page.html", **_context(draft, errors))


def _save_draft() -> tuple[TicketForm | None, dict[str, str]]:
    """Save the typed fields into my draft (made on the first save).

    A field that is malformed (too long, not a number) is left out and reported; the
    rest is saved. The answer's errors also include the submit checks of the fields
    filled in so far (email, phone, ticket type).
    """
    fields = _form_fields()
    data, errors = validate_form(FormIn, fields)
    if data is None:
        fields = {name: value for name, value in fields.items() if name not in errors}
        fields["preferences"] = {
            name: value
            for name, value in fields.get("preferences", {}).items()
            if name not in errors
        }
        data, more = validate_form(FormIn, fields)
        if data is None:
            return None, {**more, **errors}
    values = data.model_dump()
    if values.get("event_id") is None:
        values.pop("event_id", None)
    for name in errors:  # keep what was stored for a malformed field
        values.pop(name, None)
        values["preferences"].pop(name, None)
    user = current()
    draft = services.latest_or_none(user, status=FormStatus.DRAFT)
    try:
        if draft is None:
            draft = services.create_form(user, values)
        else:
            draft = services.update_draft(user, draft.id, values)
    except ValidationFailed as exc:
        db.session.rollback()
        return None, errors_by_field(exc.errors or [])
    _values, found = services.check_fields(services.form_values(draft), complete=False)
    return draft, {**errors_by_field(found), **errors}


@bp.post("/draft")
@login_required
def save_draft():
    """Autosave: store the draft, answer the field errors and the save status."""
    draft, errors = _save_draft()
    if draft is not None:
        db.session.commit()
    html = render_template(
        "tickets/partials/_feedback.html",
        errors=errors,
        field_names=FIELD_NAMES,
        saved=draft is not None,
    )
    return html, 200 if draft is not None else 422


@bp.post("/submit")
@login_required
def submit():
    """Save what is typed, then submit it: the fresh page, or every problem inline."""
    draft, errors = _save_draft()
    if draft is not None:
        db.session.commit()
        try:
            services.submit(current(), draft.id)
        except (ValidationFailed, Conflict) as exc:
            db.session.rollback()
            errors = errors_by_field(exc.errors or []) or {"form": str(exc.detail)}
        else:
            db.session.commit()
            html = render_template("tickets/page.html", **_context(None))
            return htmx.answer(
                html,
                toast=_("Submitted! The bot will confirm in chat."),
                push_url=url_for("tickets_pages.tickets_page"),
            )
    html = render_template(
        "tickets/partials/_feedback.html", errors=errors, field_names=FIELD_NAMES, saved=False
    )
    return htmx.answer(html, 422, reswap="none")
