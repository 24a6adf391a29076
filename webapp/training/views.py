"""Training log pages: log an exercise, the entries (by exercise), progress per exercise as
a chart drawn on the server (SVG, no chart script), one entry with Delete.

The form is validated by the API's schema and saved by the same service.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _

from webapp import htmx
from webapp.auth.identity import current, login_required
from webapp.errors import ValidationFailed
from webapp.extensions import db
from webapp.forms import errors_by_field, form_datetime, validate_form
from webapp.i18n import user_zone
from webapp.training import services
from webapp.training.schemas import EntryIn

bp = Blueprint("training_pages", __name__, url_prefix="/training")
PAGE_SIZE = 50


@bp.app_template_filter("training_kg")
def kilograms(value: float) -> str:
    """A weight as the user's language writes a number ("62.5", «62,5»)."""
    return format_decimal(value, format="#,##0.###")


@bp.app_template_filter("training_day")
def short_day(value: date) -> str:
    """A chart's day, short ("Dec 5", «5 дек.»)."""
    return format_date(value, "d MMM")


def _context(
    values: dict[str, Any] | None = None, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    user = current()
    exercise = (request.args.get("exercise") or "").strip() or None
    page = services.list_entries(user, exercise=exercise, limit=PAGE_SIZE)
    every = services.progress(user, user_zone(user))
    key = services.exercise_key(exercise) if exercise else None
    return {
        "entries": page.items,
        "total": page.total_text,
        "exercise": exercise,
        "exercise_key": key,
        "progress": [item for item in every if key is None or item.key == key],
        "exercises": every,
        "values": values or {},
        "errors": errors or {},
    }


@bp.get("")
@login_required
def log_page():
    """The log: the add form, progress charts and the latest entries (of one exercise with
    `?exercise=`)."""
    return render_template("training/page.html", **_context())


@bp.post("")
@login_required
def add_entry():
    """Log from the form: the page again (422 with the fields' errors, what was typed kept)."""
    form = request.form
    values = {name: form.get(name, "").strip() for name in ("exercise", "weight_kg", "reps")}
    values["sets"] = form.get("sets", "").strip() or "1"
    values["done_at"] = form.get("done_at", "").strip()
    fields: dict[str, Any] = {
        **values,
        "weight_kg": values["weight_kg"].replace(",", "."),
        "done_at": form_datetime(values["done_at"]),
    }
    data, errors = validate_form(EntryIn, fields)
    if data is not None:
        try:
            services.add_entry(current(), data.model_dump())
        except ValidationFailed as exc:
            db.session.rollback()
            errors = errors_by_field(exc.errors or [])
        else:
            db.session.commit()
            return htmx.go(url_for("training_pages.log_page"), toast=_("Logged."))
    return render_template("training/page.html", **_context(values, errors)), 422


@bp.get("/<int:entry_id>")
@login_required
def entry_page(entry_id: int):
    """One entry, with Delete."""
    return render_template("training/entry.html", entry=services.get_entry(current(), entry_id))


@bp.post("/<int:entry_id>/delete")
@login_required
def delete_entry(entry_id: int):
    """Delete an entry, then back to the log."""
    services.delete_entry(current(), entry_id)
    db.session.commit()
    return htmx.go(url_for("training_pages.log_page"), toast=_("Deleted."))
