"""Ticket forms: review list, approve or reject through the tickets service, CSV export.

A decision is `webapp.tickets.services.decide` (admins only, submitted forms only; it
queues the user's chat message) inside `audited_change`. The export is the service's own
CSV writer (`admin_csv`, the one behind `GET /api/admin/forms.csv`), with the same filters.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_admin import Admin, expose
from flask_admin.model.template import EndpointLinkRowAction
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.admin.access import SecureModelView, require_dashboard_user
from webapp.admin.audit import snapshot
from webapp.admin.changes import audited_change, domain_message
from webapp.admin.forms import ConfirmForm, ReasonForm, flash_form_errors
from webapp.admin.models import AuditEntry
from webapp.admin.people import PeopleMixin, person, person_column
from webapp.downloads import csv_download
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.tickets import services as tickets
from webapp.tickets.models import FormStatus, TicketForm

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
    if problems:
        return None, problems
    filters = tickets.AdminFilters(
        status=status,
        ticket_type=args.get("ticket_type") or None,
        event_id=event_id,
        search=args.get("search") or None,
    )
    return filters, []


def answers_summary(form: TicketForm) -> str:
    """The first few answers on one line (the list's column)."""
    parts = [tickets.csv_cell(value) for value in form.answers.values()]
    text = " · ".join(part for part in parts if part)
    return text if len(text) <= 120 else text[:119] + "…"


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
        "notes": _l("Applicant's notes"),
        "submitted_at": _l("Submitted"),
        "decided_at": _l("Decided"),
        "decided_by_id": _l("Decided by"),
        "decision_reason": _l("Reason"),
        "created_at": _l("Created"),
        "updated_at": _l("Updated"),
    }
    column_formatters = {
        "status": lambda _v, _c, form, _n: form.status.value,
        "answers": lambda _v, _c, form, _n: answers_summary(form),
        "user_id": person_column,
        "decided_by_id": person_column,
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
        fields = tickets.fields_of(form.version)
        answers = [
            (spec.label_in(locale), tickets.csv_cell(form.answers.get(spec.key))) for spec in fields
        ]
        return self.render(
            "admin/hub/ticket_form_review.html",
            form=form,
            answers=answers,
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

    @expose("/export")
    def export(self) -> Any:
        """Choose the filters of a CSV export."""
        return self.render(
            "admin/hub/ticket_forms_export.html",
            statuses=[s.value for s in tickets.REVIEW_STATUSES],
            ticket_types=tickets.ticket_types(),
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


def register(admin: Admin) -> None:
    admin.add_view(
        TicketFormView(
            TicketForm, db, name=_l("Ticket forms"), endpoint="ticket_forms", url="ticket-forms"
        )
    )
