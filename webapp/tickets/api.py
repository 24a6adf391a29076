"""JSON routes for ticket forms (`/api/forms`) and their admin review (`/api/admin/forms`)."""

from __future__ import annotations

from webapp.api import Page, Pagination, Problem, api_blueprint, no_content, page_of, respond
from webapp.auth.identity import current, login_required, role_required
from webapp.downloads import csv_download
from webapp.extensions import db
from webapp.tickets import services
from webapp.tickets.schemas import (
    AdminFormOut,
    AdminFormQuery,
    DecisionIn,
    FormIn,
    FormOut,
    FormPath,
)

bp = api_blueprint("tickets_api", __name__, "/api/forms", tag="tickets", description="Tickets")
admin_bp = api_blueprint(
    "tickets_admin_api", __name__, "/api/admin", tag="tickets admin", description="Ticket review"
)


@bp.post("", responses={201: FormOut})
@login_required
def create_form(body: FormIn):
    """Start a questionnaire (a draft; any field may be missing)."""
    form = services.create_form(current(), body.model_dump(exclude_unset=True))
    db.session.commit()
    return respond(FormOut, form, 201)


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


@bp.put("/<int:form_id>", responses={200: FormOut, 404: Problem, 409: Problem})
@login_required
def update_form(path: FormPath, body: FormIn):
    """Change a draft: the fields sent change (409 once submitted)."""
    form = services.update_draft(current(), path.form_id, body.model_dump(exclude_unset=True))
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
    """Submit: every field is checked (422 lists them all); the bot confirms in chat."""
    form = services.submit(current(), path.form_id)
    db.session.commit()
    return respond(FormOut, form)


def _filters(query: AdminFormQuery) -> services.AdminFilters:
    return services.AdminFilters(
        status=query.status,
        ticket_type=query.ticket_type,
        event_id=query.event_id,
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
    """The filtered forms as CSV (admins); cells are safe to open in a spreadsheet."""
    return csv_download(services.admin_csv(current(), _filters(query)), services.CSV_FILENAME)


@admin_bp.patch("/forms/<int:form_id>/decision", responses={200: AdminFormOut, 409: Problem})
@role_required("admin")
def admin_decide(path: FormPath, body: DecisionIn):
    """Approve or reject a submitted form (admins)."""
    form = services.decide(current(), path.form_id, body.decision, body.reason)
    db.session.commit()
    return respond(AdminFormOut, form)
