"""Problems: the moderation queue (pending first), approve, reject, delete; attempts.

Each change is a `webapp.problems.services` call (moderators' and admins' rules, nobody
moderates their own problem, deleting takes a reason; the author is told in chat) inside
`audited_change`. Attempts are read-only history.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_admin import Admin, expose
from flask_admin.model.template import EndpointLinkRowAction
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import case, select

from webapp.admin.access import SecureBaseView, SecureModelView, require_dashboard_user
from webapp.admin.audit import record, snapshot
from webapp.admin.changes import audited_change, domain_message
from webapp.admin.forms import ConfirmForm, ReasonForm, flash_form_errors
from webapp.admin.models import AuditEntry
from webapp.admin.people import PeopleMixin, person, person_column
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.problems import services as problems
from webapp.problems.bank import BankError, guess_format, read_bank
from webapp.problems.models import Attempt, Problem, ProblemStatus

AUDITED_FIELDS = (
    "status",
    "reject_reason",
    "moderated_by_id",
    "version",
    "deleted_at",
    "deleted_by_id",
    "delete_reason",
)
PREVIEW = 80


def describe(problem: Problem) -> dict[str, Any]:
    return snapshot(problem, AUDITED_FIELDS)


def _preview(text: str | None) -> str:
    text = text or ""
    return text if len(text) <= PREVIEW else text[: PREVIEW - 1] + "…"


class ProblemView(SecureModelView):
    column_list = (
        "id",
        "status",
        "title",
        "topic",
        "difficulty",
        "author_id",
        "updated_at",
        "moderated_at",
    )
    column_details_list = (
        "id",
        "status",
        "title",
        "statement",
        "answer",
        "topic",
        "difficulty",
        "author_id",
        "reject_reason",
        "moderated_by_id",
        "moderated_at",
        "version",
        "created_at",
        "updated_at",
    )
    column_searchable_list = ("title", "topic")
    column_filters = ("status", "topic", "difficulty", "author_id", "created_at", "updated_at")
    column_sortable_list = ("id", "status", "title", "topic", "difficulty", "updated_at")
    column_labels = {
        "status": _l("Status"),
        "title": _l("Title"),
        "statement": _l("Statement"),
        "answer": _l("Answer"),
        "topic": _l("Topic"),
        "difficulty": _l("Difficulty"),
        "author_id": _l("Author"),
        "reject_reason": _l("Reason"),
        "moderated_by_id": _l("Moderated by"),
        "moderated_at": _l("Moderated"),
        "version": _l("Version"),
        "created_at": _l("Created"),
        "updated_at": _l("Updated"),
    }
    column_formatters = {
        "author_id": person_column,  # the author is loaded with the problem (joined)
        "moderated_by_id": person_column,
    }
    column_extra_row_actions = [
        EndpointLinkRowAction("fa fa-gavel", ".moderate", title=_l("Moderate"), id_arg="problem_id")
    ]

    def get_query(self) -> Any:
        return super().get_query().filter(Problem.deleted_at.is_(None))

    def get_count_query(self) -> Any:
        return super().get_count_query().filter(Problem.deleted_at.is_(None))

    def _apply_sorting(self, query: Any, joins: Any, sort_column: Any, sort_desc: bool) -> Any:
        """Unless a column is chosen: the queue, pending first and oldest first (as the
        service's `moderation_queue`), then the rest, newest first."""
        if sort_column is not None:
            return super()._apply_sorting(query, joins, sort_column, sort_desc)
        pending = Problem.status == ProblemStatus.PENDING
        return query.order_by(
            case((pending, 0), else_=1),
            case((pending, Problem.updated_at)),
            case((pending, Problem.id)),
            Problem.updated_at.desc(),
            Problem.id.desc(),
        ), joins

    def _back(self, problem_id: int) -> Any:
        """After a change: the problem's page, or the list when it is gone."""
        problem = db.session.get(Problem, problem_id)
        if problem is None or problem.deleted_at is not None:
            return redirect(url_for(".index_view"))
        return redirect(url_for(".moderate", problem_id=problem_id))

    @expose("/<int:problem_id>/moderate")
    def moderate(self, problem_id: int) -> Any:
        """One problem with its answer: approve, reject with a reason, delete; its history."""
        problem = db.session.get(Problem, problem_id)
        if problem is None or problem.deleted_at is not None:
            abort(404)
        history = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target_type == Problem.__tablename__)
            .where(AuditEntry.target_id == str(problem.id))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(50)
        ).all()
        return self.render(
            "admin/hub/problem_moderate.html",
            problem=problem,
            author=person(problem.author_id),
            reason_form=ReasonForm(),
            history=history,
            pending=ProblemStatus.PENDING,
        )

    @expose("/<int:problem_id>/approve", methods=["POST"])
    def approve(self, problem_id: int) -> Any:
        if ConfirmForm().validate_on_submit():
            audited_change(
                "problem.approve",
                load=lambda: db.session.get(Problem, problem_id),
                change=lambda actor: problems.approve_problem(actor, problem_id),
                describe=describe,
                done=_("Problem approved."),
            )
        return self._back(problem_id)

    @expose("/<int:problem_id>/reject", methods=["POST"])
    def reject(self, problem_id: int) -> Any:
        form = ReasonForm()
        if form.validate_on_submit():
            audited_change(
                "problem.reject",
                load=lambda: db.session.get(Problem, problem_id),
                change=lambda actor: problems.reject_problem(
                    actor, problem_id, form.reason.data or ""
                ),
                describe=describe,
                done=_("Problem rejected."),
            )
        else:
            flash_form_errors(form)
        return self._back(problem_id)

    @expose("/<int:problem_id>/delete", methods=["POST"])
    def delete(self, problem_id: int) -> Any:
        """Delete with a reason (the author is told it); a missing reason changes nothing."""
        form = ReasonForm()
        if not form.validate_on_submit():
            flash_form_errors(form)
            return self._back(problem_id)
        deleted = audited_change(
            "problem.delete",
            load=lambda: db.session.get(Problem, problem_id),
            change=lambda actor: problems.delete_problem(actor, problem_id, form.reason.data or ""),
            describe=describe,
            done=_("Problem deleted."),
        )
        if deleted is None:
            return self._back(problem_id)
        return redirect(url_for(".index_view"))


class ProblemImportView(SecureBaseView):
    """The problem bank upload: the same as `flask problems import` (CSV or JSON, each row
    validated like the API's POST; good rows imported, bad ones listed with reasons), one
    audit entry with the counts."""

    @expose("/", methods=["GET", "POST"])
    def index(self) -> Any:
        actor = require_dashboard_user()
        report = None
        if request.method == "POST":
            upload = request.files.get("bank")
            if not ConfirmForm().validate_on_submit() or upload is None or not upload.filename:
                flash(_("Choose a CSV or JSON file."), "error")
            else:
                report = self._import(actor, upload, bool(request.form.get("approve")))
        return self.render("admin/hub/problem_import.html", report=report)

    def _import(self, actor: Any, upload: Any, approve: bool) -> Any:
        try:
            text = upload.read().decode("utf-8-sig")
            rows = read_bank(text, guess_format(upload.filename))
            report = problems.import_problems(actor, rows, approve=approve)
        except (UnicodeDecodeError, BankError) as exc:
            flash(_("The file cannot be read: %(reason)s", reason=str(exc)), "error")
            return None
        except DomainError as exc:
            db.session.rollback()
            flash(domain_message(exc), "error")
            return None
        record(
            actor,
            "problem.import",
            ("problems", "bank"),
            after={
                "file": upload.filename,
                "imported": report.imported,
                "rejected": [row.row for row in report.rejected],
                "status": report.status.value,
            },
        )
        db.session.commit()
        flash(
            ngettext("Imported %(num)d problem.", "Imported %(num)d problems.", report.imported),
            "success",
        )
        return report


class AttemptView(PeopleMixin, SecureModelView):
    people_columns = ("user_id",)
    column_list = (
        "id",
        "user_id",
        "problem",
        "answer",
        "is_correct",
        "predicted_success",
        "rated",
        "created_at",
    )
    column_filters = ("user_id", "problem_id", "is_correct", "rated", "created_at")
    column_sortable_list = ("id", "is_correct", "predicted_success", "created_at")
    column_default_sort = ("id", True)
    column_labels = {
        "hints_used": _l("Hints used"),
        "gave_up": _l("Gave up"),
        "rating_after": _l("Rating after"),
        "user_id": _l("User"),
        "problem": _l("Problem"),
        "problem_id": _l("Problem"),
        "answer": _l("Answer"),
        "is_correct": _l("Correct"),
        "predicted_success": _l("Predicted success"),
        "rated": _l("Rated"),
        "created_at": _l("When"),
    }
    column_formatters = {
        "user_id": person_column,
        "problem": lambda _v, _c, attempt, _n: (
            f"{_preview(attempt.problem.title)} (#{attempt.problem_id})"
        ),
        "answer": lambda _v, _c, attempt, _n: _preview(attempt.answer),
        "predicted_success": lambda _v, _c, attempt, _n: f"{attempt.predicted_success:.2f}",
    }


def register(admin: Admin) -> None:
    admin.add_view(ProblemView(Problem, db, name=_l("Problem book"), endpoint="problems"))
    admin.add_view(AttemptView(Attempt, db, name=_l("Attempts"), endpoint="attempts"))
    admin.add_view(ProblemImportView(name=_l("Import problems"), endpoint="problem_import"))
