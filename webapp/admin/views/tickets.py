"""Ticket forms: review list, approve or reject through the tickets service, CSV export.

A decision is `webapp.tickets.services.decide` (admins only, submitted forms only; it
queues the user's chat message) inside `audited_change`. The export is the service's own
CSV writer (`admin_csv`, the one behind `GET /api/admin/forms.csv`), with the same filters.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_admin import Admin, expose
from flask_admin.model.template import EndpointLinkRowAction
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy import select
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from webapp.admin.access import SecureModelView, require_dashboard_user
from webapp.admin.audit import snapshot
from webapp.admin.changes import audited_change, domain_message
from webapp.admin.choices import ChoiceView
from webapp.admin.formatters import code, verbatim
from webapp.admin.forms import ConfirmForm, ReasonForm, flash_form_errors
from webapp.admin.models import AuditEntry
from webapp.admin.people import PeopleMixin, person, person_column
from webapp.downloads import csv_download
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.i18n import validation_message
from webapp.tickets import services as tickets
from webapp.tickets.designs import FIELD_KIND_LABELS, OPTION_KINDS, Design, FieldKind, FieldSpec
from webapp.tickets.models import FormStatus, Questionnaire, TicketForm


class NoteForm(FlaskForm):
    text = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=2000)])


AUDITED_FIELDS = ("status", "decision_reason", "decided_at", "decided_by_id")


def describe(form: TicketForm) -> dict[str, Any]:
    return snapshot(form, AUDITED_FIELDS)


def export_filters(args: Any) -> tuple[tickets.AdminFilters | None, list[str]]:
    """The export's filters from query arguments: (filters, problems) — like the API's."""
    problems: list[str] = []
    status = None
    if args.get("status"):
        try:
            status = FormStatus(args["status"])
        except ValueError:
            problems.append(_("Unknown status."))
    event_id = None
    if args.get("event_id"):
        try:
            event_id = int(args["event_id"])
        except ValueError:
            problems.append(_("The event must be a number."))
    questionnaire_id = None
    if args.get("questionnaire_id"):
        try:
            questionnaire_id = int(args["questionnaire_id"])
        except ValueError:
            problems.append(_("Choose a questionnaire from the list."))
    if problems:
        return None, problems
    filters = tickets.AdminFilters(
        status=status,
        ticket_type=args.get("ticket_type") or None,
        event_id=event_id,
        questionnaire_id=questionnaire_id,
        search=args.get("search") or None,
    )
    return filters, []


# Answers typed by the applicant: shown as written, in whatever language they wrote.
TYPED_KINDS = {FieldKind.TEXT, FieldKind.LONG_TEXT, FieldKind.EMAIL, FieldKind.PHONE}
SUMMARY_LENGTH = 120


def answer_display(spec: FieldSpec | None, value: Any) -> str | Markup:
    """One answer for an admin: a chosen option by its label in the admin's language, a
    checkbox as yes or no, typed text verbatim (an answer to a question no longer asked
    too)."""
    if value is None or value == "" or value == []:
        return ""
    locale = str(get_locale() or "en")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if spec is not None and spec.kind in OPTION_KINDS:
        chosen = value if isinstance(value, list) else [value]
        return ", ".join(spec.option_label(str(item), locale) for item in chosen)
    if spec is not None and spec.kind not in TYPED_KINDS:
        return str(value)
    return verbatim("; ".join(map(str, value)) if isinstance(value, list) else value)


def answers_of(form: TicketForm) -> list[tuple[str, FieldSpec | None, Any]]:
    """`(key, question, answer)` in the order of the form's questionnaire version, then
    answers to questions the version does not ask (question None)."""
    fields = tickets.fields_to_show(form.version)
    known = {spec.key for spec in fields}
    found: list[tuple[str, FieldSpec | None, Any]] = [
        (spec.key, spec, form.answers.get(spec.key)) for spec in fields
    ]
    others = [(key, None, value) for key, value in form.answers.items() if key not in known]
    return found + others


def answers_summary(form: TicketForm) -> Markup:
    """The first few answers on one line (the list's column)."""
    parts: list[str | Markup] = []
    length = 0
    for _key, spec, value in answers_of(form):
        part = answer_display(spec, value)
        if not part:
            continue
        if length > SUMMARY_LENGTH:
            parts.append("…")
            break
        parts.append(part)
        length += len(part.striptags() if isinstance(part, Markup) else part) + 3
    return Markup(" · ").join(parts)


def _questionnaire(_view: Any, _context: Any, form: TicketForm, _name: str) -> str:
    """The questionnaire version a form answered: its title and number."""
    version = form.version
    title = version.title_ru if str(get_locale()) == "ru" else version.title_en
    return _("%(title)s, version %(number)s", title=title, number=version.number)


class TicketFormView(PeopleMixin, SecureModelView):
    people_columns = ("user_id", "decided_by_id")
    column_list = (
        "id",
        "status",
        "user_id",
        "event_id",
        "answers",
        "submitted_at",
        "decided_at",
    )
    column_searchable_list = ("search_text",)
    column_filters = ("status", "event_id", "submitted_at", "decided_at")
    column_default_sort = ("id", True)
    column_labels = {
        "status": _l("Status"),
        "user_id": _l("User"),
        "event_id": _l("Event"),
        "answers": _l("Answers"),
        "search_text": _l("Answers"),
        "version": _l("Questionnaire"),
        "notes": _l("Applicant's notes"),
        "submitted_at": _l("Submitted"),
        "decided_at": _l("Decided"),
        "decided_by_id": _l("Decided by"),
        "decision_reason": _l("Reason"),
        "created_at": _l("Created"),
        "updated_at": _l("Updated"),
    }
    column_details_list = (
        "id",
        "status",
        "user_id",
        "event_id",
        "version",
        "answers",
        "notes",
        "submitted_at",
        "decided_at",
        "decided_by_id",
        "decision_reason",
        "created_at",
        "updated_at",
    )
    column_formatters = {
        "answers": lambda _v, _c, form, _n: answers_summary(form),
        "user_id": person_column,
        "decided_by_id": person_column,
        "version": _questionnaire,
        "notes": lambda _v, _c, form, _n: verbatim(form.notes),
    }
    column_extra_row_actions = [
        EndpointLinkRowAction("fa fa-gavel", ".review", title=_l("Review"), id_arg="form_id")
    ]
    list_template = "admin/hub/ticket_forms_list.html"

    def get_query(self) -> Any:
        """Only forms under review: drafts are their owners' business (the service's rule)."""
        return super().get_query().filter(tickets.under_review())

    def get_count_query(self) -> Any:
        return super().get_count_query().filter(tickets.under_review())

    @expose("/<int:form_id>/review")
    def review(self, form_id: int) -> Any:
        """One form: its answers, approve or reject, and its audit history."""
        form = tickets.get_for_review(require_dashboard_user(), form_id)
        history = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target_type == TicketForm.__tablename__)
            .where(AuditEntry.target_id == str(form.id))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(50)
        ).all()
        locale = str(get_locale() or "en")
        answers = [
            (spec.label_in(locale) if spec else code(key), answer_display(spec, value))
            for key, spec, value in answers_of(form)
        ]
        notes = tickets.list_notes(require_dashboard_user(), form.id)
        return self.render(
            "admin/hub/ticket_form_review.html",
            form=form,
            answers=answers,
            notes=[(note, person(note.author_id)) for note in notes],
            note_form=NoteForm(),
            owner=person(form.user_id),
            reason_form=ReasonForm(),
            history=history,
            submitted=FormStatus.SUBMITTED,
        )

    def _decide(self, form_id: int, decision: FormStatus, reason: str | None) -> None:
        audited_change(
            f"ticket_form.{decision.value}",
            load=lambda: db.session.get(TicketForm, form_id),
            change=lambda actor: tickets.decide(actor, form_id, decision.value, reason),
            describe=describe,
            done=_("Form approved.") if decision == FormStatus.APPROVED else _("Form rejected."),
        )

    @expose("/<int:form_id>/approve", methods=["POST"])
    def approve(self, form_id: int) -> Any:
        if ConfirmForm().validate_on_submit():
            self._decide(form_id, FormStatus.APPROVED, None)
        return redirect(url_for(".review", form_id=form_id))

    @expose("/<int:form_id>/reject", methods=["POST"])
    def reject(self, form_id: int) -> Any:
        form = ReasonForm()
        if form.validate_on_submit():
            self._decide(form_id, FormStatus.REJECTED, form.reason.data)
        else:
            flash_form_errors(form)
        return redirect(url_for(".review", form_id=form_id))

    @expose("/<int:form_id>/note", methods=["POST"])
    def add_note(self, form_id: int) -> Any:
        """An internal note on the form (audited; never shown to the applicant)."""
        note_form = NoteForm()
        if note_form.validate_on_submit():
            audited_change(
                "ticket_form.note",
                load=None,
                change=lambda actor: tickets.add_note(actor, form_id, note_form.text.data or ""),
                describe=lambda note: snapshot(note, ("form_id", "author_id", "text")),
                done=_("Note added."),
            )
        else:
            flash_form_errors(note_form)
        return redirect(url_for(".review", form_id=form_id))

    @expose("/export")
    def export(self) -> Any:
        """Choose the filters of a CSV export."""
        actor = require_dashboard_user()
        questionnaires = tickets.list_questionnaires(actor, limit=100).items
        db.session.commit()  # the default questionnaire, when this made it
        return self.render(
            "admin/hub/ticket_forms_export.html",
            statuses=[s.value for s in tickets.REVIEW_STATUSES],
            ticket_types=tickets.ticket_types(),
            questionnaires=questionnaires,
        )

    @expose("/export.csv")
    def export_csv(self) -> Any:
        """The filtered forms as CSV, written by the tickets service (formula-safe cells)."""
        filters, problems = export_filters(request.args)
        if filters is None:
            for problem in problems:
                flash(problem, "error")
            return redirect(url_for(".export"))
        try:
            rows = tickets.admin_csv(require_dashboard_user(), filters)
        except DomainError as exc:
            flash(domain_message(exc), "error")
            return redirect(url_for(".export"))
        return csv_download(rows, tickets.CSV_FILENAME)


# --- questionnaire designs ---------------------------------------------------------------


def describe_design(questionnaire: Questionnaire) -> dict[str, Any]:
    """What an audit entry keeps of a design change: the version and the questions' keys."""
    version = tickets.current_version(questionnaire)
    return {
        "version": questionnaire.version,
        "event_id": questionnaire.event_id,
        "title": version.title_en,
        "fields": [spec["key"] for spec in version.fields],
    }


def _blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def question_from_form(form: Any) -> dict[str, Any]:
    """A question as the design schema takes it, from the question form's fields."""
    options = []
    for line in (form.get("options") or "").splitlines():
        if not line.strip():
            continue
        value, _sep, rest = line.partition("|")
        english, _sep, russian = rest.partition("|")
        english = english.strip() or value.strip()
        options.append(
            {"value": value.strip(), "label": {"en": english, "ru": russian.strip() or english}}
        )
    question: dict[str, Any] = {
        "key": (form.get("key") or "").strip(),
        "kind": form.get("kind") or "",
        "label": {
            "en": (form.get("label_en") or "").strip(),
            "ru": (form.get("label_ru") or "").strip(),
        },
        "help": {
            "en": (form.get("help_en") or "").strip(),
            "ru": (form.get("help_ru") or "").strip(),
        },
        "required": "required" in form,
        "integer": "integer" in form,
        "options": options,
    }
    for name in ("min_length", "max_length", "min_value", "max_value", "min_date", "max_date"):
        question[name] = _blank(form.get(name))
    return question


def flash_design_errors(exc: ValidationError) -> None:
    for error in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in error.get("loc", ()))
        flash(f"{where}: {validation_message(error)}", "error")


def options_text(spec: Any) -> str:
    return "\n".join(
        f"{option.value} | {option.label.en} | {option.label.ru}" for option in spec.options
    )


class QuestionnaireView(SecureModelView):
    """Questionnaires: the default one and each event's; a design page per questionnaire
    where admins add, edit, reorder and remove questions. Every change is a new version
    written by `webapp.tickets.services.change_design` inside `audited_change`."""

    column_list = ("id", "is_default", "event_id", "version", "updated_at")
    column_default_sort = ("id", False)
    column_labels = {
        "is_default": _l("Default"),
        "event_id": _l("Event"),
        "version": _l("Version"),
        "updated_at": _l("Updated"),
        "created_at": _l("Created"),
    }
    column_extra_row_actions = [
        EndpointLinkRowAction(
            "fa fa-pencil", ".design", title=_l("Design"), id_arg="questionnaire_id"
        )
    ]
    list_template = "admin/hub/questionnaires_list.html"

    def get_query(self) -> Any:
        tickets.default_questionnaire()  # there is always a default to design
        db.session.commit()
        return super().get_query()

    def _current(self, questionnaire_id: int) -> tuple[Questionnaire, Design]:
        questionnaire, version = tickets.admin_questionnaire(
            require_dashboard_user(), questionnaire_id
        )
        db.session.commit()  # the default questionnaire, when this made it
        return questionnaire, tickets.design_of(version)

    def _save(self, questionnaire_id: int, build: Any) -> bool:
        """Apply `build(design) -> dict` as the new design: validated, audited, a version."""
        _questionnaire, design = self._current(questionnaire_id)
        try:
            new = Design.model_validate(build(design.model_dump(mode="json")))
        except ValidationError as exc:
            flash_design_errors(exc)
            return False
        except (IndexError, ValueError):
            abort(404)
        problems = tickets.design_problems(new)
        for problem in problems:
            flash(f"{problem['field']}: {problem['message']}", "error")
        if problems:
            return False
        done = audited_change(
            "questionnaire.design",
            load=lambda: tickets.get_questionnaire(questionnaire_id),
            change=lambda actor: tickets.change_design(actor, questionnaire_id, new),
            describe=describe_design,
            done=_("Design saved."),
        )
        return done is not None

    @expose("/<int:questionnaire_id>/design")
    def design(self, questionnaire_id: int) -> Any:
        """The questions in order, with their limits, and the title."""
        questionnaire, design = self._current(questionnaire_id)
        return self.render(
            "admin/hub/questionnaire_design.html",
            questionnaire=questionnaire,
            design=design,
            kinds=FIELD_KIND_LABELS,
            confirm=ConfirmForm(),
        )

    @expose("/<int:questionnaire_id>/title", methods=["POST"])
    def title(self, questionnaire_id: int) -> Any:
        if ConfirmForm().validate_on_submit():
            title = {"en": request.form.get("title_en", ""), "ru": request.form.get("title_ru", "")}
            self._save(questionnaire_id, lambda design: {**design, "title": title})
        return redirect(url_for(".design", questionnaire_id=questionnaire_id))

    @expose("/<int:questionnaire_id>/move/<int:index>/<direction>", methods=["POST"])
    def move(self, questionnaire_id: int, index: int, direction: str) -> Any:
        """Move a question up or down by one place."""
        if ConfirmForm().validate_on_submit():
            step = -1 if direction == "up" else 1

            def moved(design: dict[str, Any]) -> dict[str, Any]:
                fields = list(design["fields"])
                other = index + step
                if not (0 <= index < len(fields) and 0 <= other < len(fields)):
                    raise IndexError(index)
                fields[index], fields[other] = fields[other], fields[index]
                return {**design, "fields": fields}

            self._save(questionnaire_id, moved)
        return redirect(url_for(".design", questionnaire_id=questionnaire_id))

    @expose("/<int:questionnaire_id>/remove/<int:index>", methods=["POST"])
    def remove(self, questionnaire_id: int, index: int) -> Any:
        """Remove a question (forms already submitted keep their answers to it)."""
        if ConfirmForm().validate_on_submit():

            def removed(design: dict[str, Any]) -> dict[str, Any]:
                fields = list(design["fields"])
                fields.pop(index)
                return {**design, "fields": fields}

            self._save(questionnaire_id, removed)
        return redirect(url_for(".design", questionnaire_id=questionnaire_id))

    @expose("/<int:questionnaire_id>/question/<index>", methods=["GET", "POST"])
    def question(self, questionnaire_id: int, index: str) -> Any:
        """Add a question (`new`) or edit question `index`."""
        questionnaire, design = self._current(questionnaire_id)
        position = None if index == "new" else int(index) if index.isdigit() else -1
        if position is not None and not 0 <= position < len(design.fields):
            abort(404)
        spec = design.fields[position] if position is not None else None
        typed = None
        if request.method == "POST":
            typed = question_from_form(request.form)
            if ConfirmForm().validate_on_submit():

                def placed(current: dict[str, Any]) -> dict[str, Any]:
                    fields = list(current["fields"])
                    if position is None:
                        fields.append(typed)
                    else:
                        fields[position] = typed
                    return {**current, "fields": fields}

                if self._save(questionnaire_id, placed):
                    return redirect(url_for(".design", questionnaire_id=questionnaire_id))
        return self.render(
            "admin/hub/questionnaire_question.html",
            questionnaire=questionnaire,
            spec=spec,
            typed=typed,
            position=index,
            kinds=FIELD_KIND_LABELS,
            options=options_text(spec) if spec else "",
            confirm=ConfirmForm(),
        )

    @expose("/new", methods=["GET", "POST"])
    def new(self) -> Any:
        """An event's own questionnaire, starting from the default one's questions."""
        if request.method == "POST" and ConfirmForm().validate_on_submit():
            raw = (request.form.get("event_id") or "").strip()
            if not raw.isdigit() or not 0 < int(raw) < 2**31:
                flash(_("The event must be a number."), "error")
            else:
                event_id = int(raw)
                _default, design = self._current(tickets.default_questionnaire().id)
                created = audited_change(
                    "questionnaire.create",
                    load=None,
                    change=lambda actor: tickets.create_questionnaire(actor, event_id, design),
                    describe=describe_design,
                    done=_("Questionnaire created."),
                )
                if created is not None:
                    return redirect(url_for(".design", questionnaire_id=created.id))
        return self.render("admin/hub/questionnaire_new.html", confirm=ConfirmForm())


def register(admin: Admin) -> None:
    admin.add_view(
        ChoiceView(
            "ticket_type", name=_l("Ticket types"), endpoint="ticket_types", url="ticket-types"
        )
    )
    admin.add_view(
        TicketFormView(
            TicketForm, db, name=_l("Ticket forms"), endpoint="ticket_forms", url="ticket-forms"
        )
    )
    admin.add_view(
        QuestionnaireView(Questionnaire, db, name=_l("Questionnaires"), endpoint="questionnaires")
    )
