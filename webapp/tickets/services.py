"""Ticket form rules (SPEC §5 tickets) and questionnaire designs (issue 14).

* Questionnaires: one default (made from today's questions on first use, or by the
  migration) and at most one per event; admins design them. A design change writes a new
  version; a form keeps the version it was submitted against.
* A form belongs to its user; anyone else gets 404. It may name an event (422 if there is
  no such event) and answers that event's questionnaire (or the default one).
* A draft may be partial: its answers must be keys of the design, of the kind's JSON type
  and not too long (422 naming `answers.<key>`). Only drafts change or are deleted (409
  otherwise); a draft follows the questionnaire's current design each time it is saved.
* Submitting checks every answer by its field's kind and limits and answers every problem
  at once (422), then locks the form and queues the bot's confirmation (once:
  `ticket-submitted:<id>`).
* An admin approves or rejects a submitted form (409 for any other status); the user is
  told in chat (`ticket-decision:<id>`). Admins' notes on a form are never shown to the
  applicant.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, select

from webapp.core import choices
from webapp.database import insert_ignoring_conflicts, utcnow
from webapp.errors import Conflict, NotFound, ValidationFailed, field_error
from webapp.events.models import Event
from webapp.extensions import db
from webapp.i18n import choice_name, user_locale
from webapp.outbox import queue_message
from webapp.pagination import Page, paginate
from webapp.tickets import designs
from webapp.tickets.designs import Design, FieldSpec
from webapp.tickets.models import (
    FormNote,
    FormStatus,
    Questionnaire,
    QuestionnaireVersion,
    TicketForm,
)
from webapp.users.models import User
from webapp.users.roles import require_admin

normalise_phone = designs.normalise_phone
NOTES_LIMIT = 2000


@dataclass(frozen=True)
class AdminFilters:
    status: FormStatus | None = None
    ticket_type: str | None = None
    event_id: int | None = None
    questionnaire_id: int | None = None
    search: str | None = None


TICKET_TYPE = "ticket_type"  # the question (and the kind of choice) of the ticket type


def ticket_types() -> list[str]:
    """The ticket types that may be chosen now: the active ones the admin keeps
    (`webapp.core.choices`, seeded from `TICKET_TYPES`)."""
    return choices.active_keys(TICKET_TYPE)


# --- questionnaires ----------------------------------------------------------------------


def builtin_design() -> Design:
    """Today's questions, with the configured ticket types as the choice's options."""
    return designs.default_design(ticket_types(), choices.display_names(TICKET_TYPE))


def default_questionnaire() -> Questionnaire:
    """The default questionnaire, made (once, whoever asks first) from the built-in design."""
    found = db.session.scalars(
        select(Questionnaire).where(Questionnaire.is_default.is_(True))
    ).first()
    if found is not None:
        return found
    inserted = db.session.execute(
        insert_ignoring_conflicts(Questionnaire, db.session, is_default=True, version=1).returning(
            Questionnaire.__table__.c.id
        )
    ).scalar()
    if inserted is not None:
        _write_version(inserted, 1, builtin_design(), None)
    found = db.session.scalars(
        select(Questionnaire).where(Questionnaire.is_default.is_(True))
    ).first()
    assert found is not None
    return found


def _write_version(
    questionnaire_id: int, number: int, design: Design, actor: User | None
) -> QuestionnaireVersion:
    version = QuestionnaireVersion(
        questionnaire_id=questionnaire_id,
        number=number,
        title_en=design.title.en,
        title_ru=design.title.ru,
        fields=designs.stored_fields(design),
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(version)
    db.session.flush()
    return version


def get_questionnaire(questionnaire_id: int) -> Questionnaire:
    found = db.session.get(Questionnaire, questionnaire_id)
    if found is None:
        raise NotFound(_l("No such questionnaire."))
    return found


def admin_questionnaire(
    actor: User, questionnaire_id: int, number: int | None = None
) -> tuple[Questionnaire, QuestionnaireVersion]:
    """A questionnaire and its current design, or version `number` (admins)."""
    require_admin(actor)
    default_questionnaire()  # made on first use where no migration made it
    questionnaire = get_questionnaire(questionnaire_id)
    return questionnaire, version_of(questionnaire.id, number or questionnaire.version)


def questionnaire_for(event_id: int | None) -> Questionnaire:
    """The questionnaire a form for this event answers: the event's own, or the default."""
    if event_id is not None:
        own = db.session.scalars(
            select(Questionnaire).where(Questionnaire.event_id == event_id)
        ).first()
        if own is not None:
            return own
    return default_questionnaire()


def current_version(questionnaire: Questionnaire) -> QuestionnaireVersion:
    return version_of(questionnaire.id, questionnaire.version)


def version_of(questionnaire_id: int, number: int) -> QuestionnaireVersion:
    version = db.session.scalars(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.questionnaire_id == questionnaire_id)
        .where(QuestionnaireVersion.number == number)
    ).first()
    if version is None:
        raise NotFound(_l("No such questionnaire version."))
    return version


def fields_of(version: QuestionnaireVersion) -> list[FieldSpec]:
    """The questions to answer: the ticket type question offers the active ticket types
    the admin keeps, named as the admin named them (whatever its design stored)."""
    return [_kept_ticket_types(spec, answering=True) for spec in load_fields(version)]


def fields_to_show(version: QuestionnaireVersion) -> list[FieldSpec]:
    """The questions as answers are shown: every ticket type, inactive ones too (a form
    that chose one still shows its name)."""
    return [_kept_ticket_types(spec, answering=False) for spec in load_fields(version)]


def load_fields(version: QuestionnaireVersion) -> list[FieldSpec]:
    return designs.load_fields(version.fields)


def _kept_ticket_types(spec: FieldSpec, *, answering: bool) -> FieldSpec:
    if spec.key != TICKET_TYPE or spec.kind is not designs.FieldKind.CHOICE:
        return spec
    options = [
        designs.OptionSpec(value=item.key, label=designs.Words(en=item.name_en, ru=item.name_ru))
        for item in choices.catalogue(TICKET_TYPE)
        if (item.active or not answering) and designs.is_key(item.key)
    ]
    return spec.model_copy(update={"options": options}) if options else spec


def design_of(version: QuestionnaireVersion) -> Design:
    return Design.model_validate(
        {"title": {"en": version.title_en, "ru": version.title_ru}, "fields": version.fields}
    )


def list_questionnaires(actor: User, *, skip: int = 0, limit: int = 20) -> Page[Questionnaire]:
    """Every questionnaire (admins): the default first, then by id."""
    require_admin(actor)
    default_questionnaire()
    order = (Questionnaire.is_default.is_(None), Questionnaire.id)
    return paginate(select(Questionnaire), order, skip=skip, limit=limit)


def design_problems(design: Design) -> list[dict[str, str]]:
    """What a design may not say, each problem named `fields.<n>.<attribute>`."""
    return designs.check_design(design)


def _check(design: Design) -> None:
    errors = design_problems(design)
    if errors:
        raise ValidationFailed(_l("The design has problems."), errors=errors)


def create_questionnaire(actor: User, event_id: int, design: Design) -> Questionnaire:
    """An event's own questionnaire (admins); an event has at most one (409)."""
    require_admin(actor)
    _check(design)
    if db.session.get(Event, event_id) is None:
        raise ValidationFailed(
            _l("No such event."), errors=[field_error("event_id", _l("No such event."))]
        )
    inserted = db.session.execute(
        insert_ignoring_conflicts(
            Questionnaire, db.session, event_id=event_id, version=1
        ).returning(Questionnaire.__table__.c.id)
    ).scalar()
    if inserted is None:
        raise Conflict(_l("This event already has a questionnaire."))
    _write_version(inserted, 1, design, actor)
    questionnaire = db.session.get(Questionnaire, inserted)
    assert questionnaire is not None
    return questionnaire


def change_design(actor: User, questionnaire_id: int, design: Design) -> Questionnaire:
    """A new version of the design (admins); the same design again is no change."""
    require_admin(actor)
    _check(design)
    default_questionnaire()
    questionnaire = db.session.scalars(
        select(Questionnaire)
        .where(Questionnaire.id == questionnaire_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if questionnaire is None:
        raise NotFound(_l("No such questionnaire."))
    if design_of(current_version(questionnaire)) == design:
        return questionnaire
    questionnaire.version += 1
    _write_version(questionnaire.id, questionnaire.version, design, actor)
    return questionnaire


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
        query = query.with_for_update(of=TicketForm).execution_options(populate_existing=True)
    form = db.session.scalars(query).first()
    if form is None or form.user_id != user.id:
        raise NotFound(_l("No such ticket form."))
    return form


def create_form(
    user: User,
    answers: dict[str, Any] | None = None,
    *,
    questionnaire_id: int | None = None,
    event_id: int | None = None,
    notes: str | None = None,
) -> TicketForm:
    """A draft answering the event's questionnaire (or the one named, or the default)."""
    _require_event(event_id)
    if questionnaire_id is not None:
        questionnaire = _named_questionnaire(questionnaire_id)
        if questionnaire.event_id is not None and questionnaire.event_id != event_id:
            message = _l("This questionnaire belongs to another event.")
            raise ValidationFailed(message, errors=[field_error("questionnaire_id", message)])
    else:
        questionnaire = questionnaire_for(event_id)
    version = current_version(questionnaire)
    form = TicketForm(
        user_id=user.id, status=FormStatus.DRAFT, event_id=event_id, answers={}, version=version
    )
    form.questionnaire_version_id = version.id
    _set_answers(form, answers or {})
    form.notes = _clean_notes(notes)
    db.session.add(form)
    db.session.flush()
    return form


def update_draft(
    user: User,
    form_id: int,
    answers: dict[str, Any] | None = None,
    *,
    questionnaire_id: int | None = None,
    notes: str | None = None,
    change_notes: bool = False,
) -> TicketForm:
    """Change the answers given (`null` clears one) and the notes; only a draft changes."""
    form = get_form(user, form_id, lock=True)
    _require_draft(form)
    if questionnaire_id is not None and questionnaire_id != form.questionnaire_id:
        message = _l("A form keeps its questionnaire: start a new form for another one.")
        raise ValidationFailed(message, errors=[field_error("questionnaire_id", message)])
    _follow_design(form)
    if answers:
        _set_answers(form, {**form.answers, **answers})
    if change_notes:
        form.notes = _clean_notes(notes)
    db.session.flush()
    return form


def delete_draft(user: User, form_id: int) -> None:
    form = get_form(user, form_id, lock=True)
    _require_draft(form)
    db.session.delete(form)
    db.session.flush()


def submit(user: User, form_id: int, *, now: datetime | None = None) -> TicketForm:
    """Check every answer, lock the form as submitted, queue the bot's confirmation."""
    form = get_form(user, form_id, lock=True)
    _require_draft(form)
    _follow_design(form)
    normalised, errors = designs.check_answers(fields_of(form.version), form.answers, complete=True)
    if errors:
        raise ValidationFailed(_l("Some answers are missing or invalid."), errors=errors)
    form.answers = normalised
    form.search_text = designs.search_text(fields_of(form.version), normalised)
    form.status = FormStatus.SUBMITTED
    form.submitted_at = now or utcnow()
    db.session.flush()
    if user.telegram_id is not None:
        with force_locale(user_locale(user)):
            text = _confirmation(form)
        queue_message(user.telegram_id, text, dedupe_key=f"ticket-submitted:{form.id}")
    return form


def _confirmation(form: TicketForm) -> str:
    quantity, kind = form.answers.get("quantity"), form.answers.get("ticket_type")
    if quantity is not None and kind is not None:
        return str(
            _(
                "Your ticket request #%(id)s is received: %(quantity)s x %(type)s. "
                "We will write when it is reviewed.",
                id=form.id,
                quantity=quantity,
                type=choice_name("ticket_type", kind),
            )
        )
    return str(
        _("Your ticket request #%(id)s is received. We will write when it is reviewed.", id=form.id)
    )


def check_draft(form: TicketForm) -> list[dict[str, str]]:
    """The submit checks of the answers given so far (the page shows them as the user types)."""
    _values, errors = designs.check_answers(fields_of(form.version), form.answers, complete=False)
    return errors


def draft_version(form: TicketForm) -> QuestionnaireVersion:
    """The design a form is shown with: a draft's questionnaire as it is now (the draft
    follows it at its next save), a submitted form's own version."""
    if not form.is_draft:
        return form.version
    questionnaire = db.session.get(Questionnaire, form.questionnaire_id)
    if questionnaire is None or questionnaire.version == form.questionnaire_version:
        return form.version
    return current_version(questionnaire)


def shape_problems(fields: list[FieldSpec], answers: dict[str, Any]) -> list[dict[str, str]]:
    """What a draft could not store (unknown key, wrong kind, too long)."""
    return designs.check_shapes(fields, answers)


def event_exists(event_id: int) -> bool:
    return db.session.get(Event, event_id) is not None


def _named_questionnaire(questionnaire_id: int) -> Questionnaire:
    found = db.session.get(Questionnaire, questionnaire_id)
    if found is None:
        message = _l("No such questionnaire.")
        raise ValidationFailed(message, errors=[field_error("questionnaire_id", message)])
    return found


def _require_event(event_id: int | None) -> None:
    if event_id is not None and db.session.get(Event, event_id) is None:
        raise ValidationFailed(
            _l("No such event."), errors=[field_error("event_id", _l("No such event."))]
        )


def _follow_design(form: TicketForm) -> None:
    """A draft moves to its questionnaire's current design, keeping the answers that fit."""
    version = draft_version(form)
    if version.id == form.questionnaire_version_id:
        return
    fields = fields_of(version)
    kept = {}
    for key, value in form.answers.items():
        if not designs.check_shapes(fields, {key: value}):
            kept[key] = value
    form.version = version
    form.questionnaire_version_id = version.id
    form.answers = designs.clean(fields, kept)
    form.search_text = designs.search_text(fields, form.answers)


def _set_answers(form: TicketForm, answers: dict[str, Any]) -> None:
    fields = fields_of(form.version)
    errors = designs.check_shapes(fields, answers)
    if errors:
        raise ValidationFailed(_l("Some answers are not well formed."), errors=errors)
    form.answers = designs.clean(fields, answers)
    form.search_text = designs.search_text(fields, form.answers)


def _clean_notes(notes: str | None) -> str | None:
    return (notes or "").strip() or None


def _require_draft(form: TicketForm) -> None:
    if form.status != FormStatus.DRAFT:
        raise Conflict(_l("This form has been submitted and can no longer change."))


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
        query = query.where(TicketForm.answers["ticket_type"].as_string() == filters.ticket_type)
    if filters.event_id is not None:
        query = query.where(TicketForm.event_id == filters.event_id)
    if filters.questionnaire_id is not None:
        versions = select(QuestionnaireVersion.id).where(
            QuestionnaireVersion.questionnaire_id == filters.questionnaire_id
        )
        query = query.where(TicketForm.questionnaire_version_id.in_(versions))
    if filters.search and filters.search.strip():
        term = filters.search.strip().lower()
        query = query.where(TicketForm.search_text.contains(term, autoescape=True))
    return query


def admin_list(
    actor: User, filters: AdminFilters, *, skip: int = 0, limit: int = 20
) -> Page[TicketForm]:
    """Forms for review (everything but drafts unless `status` asks), newest first."""
    require_admin(actor)
    return paginate(_admin_query(filters), NEWEST_FIRST, skip=skip, limit=limit)


# The columns every export starts with; the designs' questions follow, one column a key.
CSV_META_COLUMNS = (
    "id",
    "status",
    "user_id",
    "event_id",
    "questionnaire_id",
    "questionnaire_version",
)
CSV_TAIL_COLUMNS = ("notes", "created_at", "submitted_at", "decided_at", "decision_reason")
CSV_FILENAME = "ticket-forms.csv"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """One CSV cell, safe to open in a spreadsheet (no formula injection)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, list):
        text = "; ".join(str(item) for item in value)
    else:
        text = value.isoformat() if isinstance(value, datetime) else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_answer_columns(query: Select[tuple[TicketForm]]) -> list[str]:
    """The question keys of the designs the exported forms answer, in design order: the
    newest version of each questionnaire first, then keys only older versions asked."""
    version_ids = select(TicketForm.questionnaire_version_id).where(
        TicketForm.id.in_(query.with_only_columns(TicketForm.id).order_by(None))
    )
    versions = db.session.scalars(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.id.in_(version_ids))
        .order_by(QuestionnaireVersion.questionnaire_id, QuestionnaireVersion.number.desc())
    ).all()
    keys: list[str] = []
    for version in versions:
        for spec in version.fields:
            if spec["key"] not in keys:
                keys.append(spec["key"])
    return keys


def admin_csv(actor: User, filters: AdminFilters) -> Iterator[str]:
    """The filtered forms as CSV, streamed a chunk of rows at a time."""
    require_admin(actor)
    query = _admin_query(filters)
    return _csv_rows(query.order_by(TicketForm.id), csv_answer_columns(query))


def _csv_rows(query: Select[tuple[TicketForm]], keys: list[str]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        chunk = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return chunk

    writer.writerow([*CSV_META_COLUMNS, *keys, *CSV_TAIL_COLUMNS])
    yield flush()
    for count, form in enumerate(
        db.session.scalars(query.execution_options(yield_per=500)), start=1
    ):
        writer.writerow(
            [
                *(csv_cell(getattr(form, column)) for column in CSV_META_COLUMNS),
                *(csv_cell(form.answers.get(key)) for key in keys),
                *(csv_cell(getattr(form, column)) for column in CSV_TAIL_COLUMNS),
            ]
        )
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
        .with_for_update(of=TicketForm)
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


def add_note(actor: User, form_id: int, text: str) -> FormNote:
    """An admin's internal note on a form under review (never shown to the applicant)."""
    form = get_for_review(actor, form_id)
    text = text.strip()
    if not text:
        raise ValidationFailed(
            _l("Write the note."), errors=[field_error("text", _l("This field is required."))]
        )
    note = FormNote(form_id=form.id, author_id=actor.id, text=text)
    db.session.add(note)
    db.session.flush()
    return note


def list_notes(actor: User, form_id: int) -> list[FormNote]:
    """The admins' notes on a form, oldest first."""
    form = get_for_review(actor, form_id)
    return list(
        db.session.scalars(
            select(FormNote).where(FormNote.form_id == form.id).order_by(FormNote.id)
        )
    )
