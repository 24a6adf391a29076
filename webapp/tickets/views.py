"""The tickets page: the questionnaire (any design, autosaved as a draft) and past submissions.

Autosave posts the whole form; the answer only redraws the field errors and the save
status (out-of-band), so what the user is typing is never replaced. The checks are the
service's own submit checks, run on the answers given so far. Each input is named by its
question's key (`designs.RESERVED_KEYS` are the page's own names).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from webapp import htmx
from webapp.auth.identity import current, login_required
from webapp.errors import Conflict, ValidationFailed
from webapp.extensions import db
from webapp.forms import errors_by_field
from webapp.i18n import validation_message
from webapp.tickets import services
from webapp.tickets.designs import FieldKind, FieldSpec
from webapp.tickets.models import FormStatus, TicketForm

bp = Blueprint("tickets_pages", __name__, url_prefix="/tickets")
SUBMISSIONS_SHOWN = 20
TOGGLE_KINDS = (FieldKind.CHECKBOX, FieldKind.MULTI_CHOICE)
INPUT_TYPES = {
    FieldKind.TEXT: "text",
    FieldKind.EMAIL: "email",
    FieldKind.PHONE: "tel",
    FieldKind.NUMBER: "number",
    FieldKind.DATE: "date",
}


def _locale() -> str:
    return str(get_locale() or "en")


def _event_id() -> int | None:
    raw = (request.form.get("event_id") or request.args.get("event_id") or "").strip()
    return int(raw) if raw.isdigit() and 0 < int(raw) < 2**31 else None


def _design(draft: TicketForm | None) -> tuple[int | None, list[FieldSpec]]:
    """(event, fields) the page shows: the draft's questionnaire, or the event's."""
    if draft is not None:
        return draft.event_id, services.fields_of(services.draft_version(draft))
    event_id = _event_id()
    if event_id is not None and not services.event_exists(event_id):
        event_id = None
    questionnaire = services.questionnaire_for(event_id)
    return event_id, services.fields_of(services.current_version(questionnaire))


def _blocks(fields: list[FieldSpec]) -> list[tuple[str, list[FieldSpec]]]:
    """Consecutive plain inputs share a section; a list of switches has its own."""
    blocks: list[tuple[str, list[FieldSpec]]] = []
    for spec in fields:
        kind = "toggles" if spec.kind in TOGGLE_KINDS else "inputs"
        if kind == "inputs" and blocks and blocks[-1][0] == "inputs":
            blocks[-1][1].append(spec)
        else:
            blocks.append((kind, [spec]))
    return blocks


def _typed_answers(fields: list[FieldSpec]) -> tuple[dict[str, Any], dict[str, str]]:
    """The posted inputs as answers of their kinds: (answers, errors of unreadable ones)."""
    form = request.form
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in fields:
        if spec.kind == FieldKind.CHECKBOX:
            answers[spec.key] = spec.key in form
        elif spec.kind == FieldKind.MULTI_CHOICE:
            answers[spec.key] = form.getlist(spec.key)
        elif spec.kind == FieldKind.NUMBER:
            raw = (form.get(spec.key) or "").strip().replace(",", ".")
            try:
                number = float(raw) if raw else None
            except ValueError:
                errors[spec.key] = validation_message({"type": "float_parsing"})
                continue
            if number is not None and (number != number or abs(number) > 1e15):
                errors[spec.key] = validation_message({"type": "float_parsing"})
                continue
            answers[spec.key] = (
                int(number) if number is not None and number.is_integer() else number
            )
        else:
            answers[spec.key] = form.get(spec.key, "")
    return answers, errors


def _context(draft: TicketForm | None, errors: dict[str, str] | None = None) -> dict[str, Any]:
    forms = services.list_forms(current(), limit=SUBMISSIONS_SHOWN).items
    event_id, fields = _design(draft)
    return {
        "draft": draft,
        "answers": dict(draft.answers) if draft else {},
        "errors": errors or {},
        "blocks": _blocks(fields),
        "locale": _locale(),
        "input_types": INPUT_TYPES,
        "submissions": [f for f in forms if f.status != FormStatus.DRAFT],
        "event_id": event_id,
    }


@bp.get("")
@login_required
def tickets_page():
    """The questionnaire (my latest draft, or a blank one) and my past submissions."""
    draft = services.latest_or_none(current(), status=FormStatus.DRAFT)
    errors: dict[str, str] = {}
    if draft is not None:
        errors = errors_by_field(services.check_draft(draft))
    html = render_template("tickets/page.html", **_context(draft, errors))
    db.session.commit()  # the default questionnaire, when this made it
    return html


def _save_draft() -> tuple[TicketForm | None, list[FieldSpec], dict[str, str]]:
    """Save the typed answers into my draft (made on the first save).

    An answer that is malformed (too long, not a number) is left out and reported; the
    rest is saved. The errors also include the submit checks of the answers so far.
    """
    user = current()
    draft = services.latest_or_none(user, status=FormStatus.DRAFT)
    _event, fields = _design(draft)
    answers, errors = _typed_answers(fields)
    notes = (request.form.get("notes") or "").strip()
    if len(notes) > services.NOTES_LIMIT:
        errors["notes"] = validation_message(
            {"type": "string_too_long", "ctx": {"max_length": services.NOTES_LIMIT}}
        )
    shape = errors_by_field(services.shape_problems(fields, answers))
    errors.update(shape)
    answers = {key: value for key, value in answers.items() if key not in errors}
    try:
        if draft is None:
            draft = services.create_form(
                user,
                answers,
                event_id=_event,
                notes=None if "notes" in errors else notes,
            )
        else:
            draft = services.update_draft(
                user,
                draft.id,
                answers,
                notes=notes,
                change_notes="notes" not in errors,
            )
    except ValidationFailed as exc:
        db.session.rollback()
        return None, fields, {**errors_by_field(exc.errors or []), **errors}
    return draft, fields, {**errors_by_field(services.check_draft(draft)), **errors}


def _feedback(fields: list[FieldSpec], errors: dict[str, str], saved: bool) -> str:
    return render_template(
        "tickets/partials/_feedback.html",
        errors=errors,
        field_names=[spec.key for spec in fields] + ["notes"],
        saved=saved,
    )


@bp.post("/draft")
@login_required
def save_draft():
    """Autosave: store the draft, answer the field errors and the save status."""
    draft, fields, errors = _save_draft()
    if draft is not None:
        db.session.commit()
    return _feedback(fields, errors, draft is not None), 200 if draft is not None else 422


@bp.post("/submit")
@login_required
def submit():
    """Save what is typed, then submit it: the fresh page, or every problem inline."""
    draft, fields, errors = _save_draft()
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
    return htmx.answer(_feedback(fields, errors, False), 422, reswap="none")
