"""JSON routes for ticket forms (`/api/forms`), their admin review (`/api/admin/forms`) and
the questionnaires admins design (`/api/admin/questionnaires`)."""

from __future__ import annotations

from webapp.api import Page, Pagination, Problem, api_blueprint, no_content, page_of, respond
from webapp.auth.identity import current, login_required, role_required
from webapp.downloads import csv_download
from webapp.extensions import db
from webapp.tickets import services
from webapp.tickets.designs import Design
from webapp.tickets.models import Questionnaire, QuestionnaireVersion
from webapp.tickets.schemas import (
    AdminFormOut,
    AdminFormQuery,
    DecisionIn,
    DesignQuery,
    FormChangeIn,
    FormIn,
    FormOut,
    FormPath,
    NoteIn,
    NoteOut,
    NotesOut,
    QuestionnaireIn,
    QuestionnaireOut,
    QuestionnairePath,
    QuestionnaireQuery,
)

bp = api_blueprint("tickets_api", __name__, "/api/forms", tag="tickets", description="Tickets")
admin_bp = api_blueprint(
    "tickets_admin_api", __name__, "/api/admin", tag="tickets admin", description="Ticket review"
)


def questionnaire_json(
    questionnaire: Questionnaire, version: QuestionnaireVersion | None = None
) -> QuestionnaireOut:
    version = version or services.current_version(questionnaire)
    return QuestionnaireOut(
        id=questionnaire.id,
        is_default=bool(questionnaire.is_default),
        event_id=questionnaire.event_id,
        version=version.number,
        title={"en": version.title_en, "ru": version.title_ru},  # type: ignore[arg-type]
        fields=services.fields_of(version),
        created_at=version.created_at,
    )


@bp.post("", responses={201: FormOut})
@login_required
def create_form(body: FormIn):
    """Start a form (a draft): `{"questionnaire_id", "event_id", "answers": {key: value},
    "notes"}`; any answer may be missing, each given must fit its question's kind."""
    form = services.create_form(
        current(),
        body.answers,
        questionnaire_id=body.questionnaire_id,
        event_id=body.event_id,
        notes=body.notes,
    )
    db.session.commit()
    return respond(FormOut, form, 201)


@bp.get("/questionnaire", responses={200: QuestionnaireOut})
@login_required
def form_design(query: DesignQuery):
    """The questionnaire a new form answers: the event's own, or the default one."""
    questionnaire = services.questionnaire_for(query.event_id)
    db.session.commit()  # the default questionnaire, when this made it
    return respond(QuestionnaireOut, questionnaire_json(questionnaire))


@bp.get("", responses={200: Page[FormOut]})
@login_required
def list_forms(query: Pagination):
    """My forms, newest first."""
    page = services.list_forms(current(), skip=query.skip, limit=query.limit)
    return page_of(FormOut, page, query)


@bp.get("/latest", responses={200: FormOut, 404: Problem})
@login_required
def latest_form():
    """My most recent form (404 when I have none)."""
    return respond(FormOut, services.latest_form(current()))


@bp.get("/<int:form_id>", responses={200: FormOut, 404: Problem})
@login_required
def get_form(path: FormPath):
    """One of my forms."""
    return respond(FormOut, services.get_form(current(), path.form_id))


@bp.get("/<int:form_id>/questionnaire", responses={200: QuestionnaireOut, 404: Problem})
@login_required
def my_form_design(path: FormPath):
    """The design one of my forms answers: a submitted form's own version, a draft's
    questionnaire as it is now (the draft follows it at its next save)."""
    form = services.get_form(current(), path.form_id)
    version = services.draft_version(form)
    return respond(QuestionnaireOut, questionnaire_json(version.questionnaire, version))


@bp.put("/<int:form_id>", responses={200: FormOut, 404: Problem, 409: Problem})
@login_required
def update_form(path: FormPath, body: FormChangeIn):
    """Change a draft: the answers sent change (`null` clears one); 409 once submitted."""
    form = services.update_draft(
        current(),
        path.form_id,
        body.answers,
        questionnaire_id=body.questionnaire_id,
        notes=body.notes,
        change_notes="notes" in body.model_fields_set,
    )
    db.session.commit()
    return respond(FormOut, form)


@bp.delete("/<int:form_id>", responses={204: None, 404: Problem, 409: Problem})
@login_required
def delete_form(path: FormPath):
    """Delete my draft."""
    services.delete_draft(current(), path.form_id)
    db.session.commit()
    return no_content()


@bp.post("/<int:form_id>/submit", responses={200: FormOut, 409: Problem, 422: Problem})
@login_required
def submit_form(path: FormPath):
    """Submit: every answer is checked by its question (422 names each bad
    `answers.<key>`); the bot confirms in chat."""
    form = services.submit(current(), path.form_id)
    db.session.commit()
    return respond(FormOut, form)


# --- admins ------------------------------------------------------------------------------


def _filters(query: AdminFormQuery) -> services.AdminFilters:
    return services.AdminFilters(
        status=query.status,
        ticket_type=query.ticket_type,
        event_id=query.event_id,
        questionnaire_id=query.questionnaire_id,
        search=query.search,
    )


@admin_bp.get("/forms", responses={200: Page[AdminFormOut]})
@role_required("admin")
def admin_list_forms(query: AdminFormQuery):
    """Forms for review, filtered (admins)."""
    page = services.admin_list(current(), _filters(query), skip=query.skip, limit=query.limit)
    return page_of(AdminFormOut, page, query)


@admin_bp.get(
    "/forms.csv",
    responses={200: {"description": "CSV", "content": {"text/csv": {"schema": {}}}}},
)
@role_required("admin")
def admin_export_forms(query: AdminFormQuery):
    """The filtered forms as CSV (admins): a column per question of the designs they
    answer; cells are safe to open in a spreadsheet."""
    return csv_download(services.admin_csv(current(), _filters(query)), services.CSV_FILENAME)


@admin_bp.patch("/forms/<int:form_id>/decision", responses={200: AdminFormOut, 409: Problem})
@role_required("admin")
def admin_decide(path: FormPath, body: DecisionIn):
    """Approve or reject a submitted form (admins)."""
    form = services.decide(current(), path.form_id, body.decision, body.reason)
    db.session.commit()
    return respond(AdminFormOut, form)


@admin_bp.get("/forms/<int:form_id>/notes", responses={200: NotesOut})
@role_required("admin")
def admin_notes(path: FormPath):
    """Admins' internal notes on a form, oldest first (never shown to the applicant)."""
    notes = services.list_notes(current(), path.form_id)
    return respond(NotesOut, {"items": notes})


@admin_bp.post("/forms/<int:form_id>/notes", responses={201: NoteOut})
@role_required("admin")
def admin_add_note(path: FormPath, body: NoteIn):
    """Add an internal note to a form (admins); notes are kept with author and time."""
    note = services.add_note(current(), path.form_id, body.text)
    db.session.commit()
    return respond(NoteOut, note, 201)


@admin_bp.get("/questionnaires", responses={200: Page[QuestionnaireOut]})
@role_required("admin")
def admin_list_questionnaires(query: Pagination):
    """Every questionnaire with its current design (admins): the default one first."""
    page = services.list_questionnaires(current(), skip=query.skip, limit=query.limit)
    db.session.commit()  # the default questionnaire, when this made it
    return page_of(QuestionnaireOut, page, query, serialize=questionnaire_json)


@admin_bp.get("/questionnaires/<int:questionnaire_id>", responses={200: QuestionnaireOut})
@role_required("admin")
def admin_get_questionnaire(path: QuestionnairePath, query: QuestionnaireQuery):
    """A questionnaire's current design, or `?version=n` (admins)."""
    questionnaire, version = services.admin_questionnaire(
        current(), path.questionnaire_id, query.version
    )
    db.session.commit()  # the default questionnaire, when this made it
    return respond(QuestionnaireOut, questionnaire_json(questionnaire, version))


@admin_bp.post("/questionnaires", responses={201: QuestionnaireOut, 409: Problem})
@role_required("admin")
def admin_create_questionnaire(body: QuestionnaireIn):
    """An event's own questionnaire (admins; 409 when the event has one)."""
    design = Design.model_validate(body.model_dump(exclude={"event_id"}))
    questionnaire = services.create_questionnaire(current(), body.event_id, design)
    made = questionnaire_json(questionnaire)
    db.session.commit()
    return respond(QuestionnaireOut, made, 201)


@admin_bp.put("/questionnaires/<int:questionnaire_id>", responses={200: QuestionnaireOut})
@role_required("admin")
def admin_change_design(path: QuestionnairePath, body: Design):
    """Change the design (admins): a new version; forms submitted keep theirs."""
    questionnaire = services.change_design(current(), path.questionnaire_id, body)
    changed = questionnaire_json(questionnaire)  # this change's version, not a later one's
    db.session.commit()
    return respond(QuestionnaireOut, changed)
