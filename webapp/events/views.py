"""Event pages: upcoming/past lists, one event with join/leave, the create and edit form.

The page routes call the same services as the API; a form is validated by the API's
schema and its errors are shown next to the fields.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp import htmx
from webapp.auth.identity import current, login_required
from webapp.database import utcnow
from webapp.errors import Conflict, DomainError, Forbidden, NotFound
from webapp.events import services
from webapp.events.labels import (
    JOIN_MODE_NAMES,
    KIND_NAMES,
    LEVEL_NAMES,
    STATUS_NAMES,
    WEEKDAY_NAMES,
)
from webapp.events.models import JoinMode, Kind, Level
from webapp.events.schemas import ApplicationRejectIn, EventCreateIn, EventIn, EventJoinIn
from webapp.events.sports import sport_names
from webapp.extensions import db
from webapp.forms import errors_by_field, form_datetime, validate_form

bp = Blueprint("events_pages", __name__, url_prefix="/events")
PAGE_SIZE = 50
PARTICIPANTS_SHOWN = 100
APPLICATIONS_SHOWN = 100


def _blank(name: str) -> str | None:
    return (request.form.get(name) or "").strip() or None


def _fee(text: str | None) -> Any:
    """Roubles as typed ("300", "300,50") → `{"amount": kopecks}`; anything else is handed to
    the schema as it is, which names `fee` in its error."""
    if text is None:
        return None
    try:
        amount = Decimal(text.replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        return text
    if not amount.is_finite():
        return text
    return {"amount": int((amount * 100).to_integral_value())}


def _event_fields() -> dict[str, Any]:
    form = request.form
    return {
        "title": form.get("title", ""),
        "description": form.get("description", ""),
        "starts_at": form_datetime(form.get("starts_at")),
        "location": form.get("location", ""),
        "capacity": _blank("capacity"),
        "kind": form.get("kind") or "event",
        "sport": _blank("sport"),
        "level": form.get("level") or "any",
        "fee": _fee(_blank("fee")),
        "latitude": _blank("latitude"),
        "longitude": _blank("longitude"),
        "city": _blank("city"),
        "join_mode": form.get("join_mode") or "open",
    }


def _repeat_fields() -> dict[str, Any] | None:
    """The form's weekday boxes and "until" date (the end of that day, the user's time)."""
    weekdays = request.form.getlist("weekdays")
    if not weekdays:
        return None
    until: Any = _blank("until")
    if until is not None:
        try:
            day = date.fromisoformat(until)
        except ValueError:
            pass
        else:
            until = form_datetime(f"{day.isoformat()}T23:59")
    return {"weekdays": weekdays, "until": until}


def _form_context(event: Any, values: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    return {
        "event": event,
        "values": values,
        "errors": errors,
        "sports": list(sport_names().items()),
        "kinds": [(kind.value, KIND_NAMES[kind]) for kind in Kind],
        "levels": [(level.value, LEVEL_NAMES[level]) for level in Level],
        "join_modes": [(mode.value, JOIN_MODE_NAMES[mode]) for mode in JoinMode],
        "weekdays": [(number, WEEKDAY_NAMES[number - 1]) for number in range(1, 8)],
        "values_weekdays": request.form.getlist("weekdays") if request.method == "POST" else [],
    }


TABS = ("upcoming", "past", "mine")
MINE = ("joined", "applied", "created")


def _choice(name: str, allowed: Any) -> str | None:
    value = request.args.get(name) or None
    return value if value in allowed else None


@bp.get("")
@login_required
def events_page():
    """Upcoming (default), past, or "My events" (joined, applied, organised); chips filter by
    sport and kind. The chips redraw only the list."""
    sports = sport_names()
    tab = _choice("tab", TABS) or "upcoming"
    filters = {
        "tab": tab,
        "sport": _choice("sport", sports),
        "kind": _choice("kind", [kind.value for kind in Kind]),
        "mine": (_choice("mine", MINE) or "joined") if tab == "mine" else None,
    }
    page = services.list_events(
        current(),
        filters=services.EventFilters(
            when="upcoming" if tab == "mine" else tab,
            sport=filters["sport"],
            kind=filters["kind"],
            mine=filters["mine"],
        ),
        limit=PAGE_SIZE,
    )

    def link(**changes: str | None) -> str:
        wanted = {**filters, **changes}
        if wanted["tab"] != "mine":
            wanted["mine"] = None
        args: dict[str, Any] = {k: v for k, v in wanted.items() if v is not None}
        return url_for("events_pages.events_page", **args)

    context = {
        **filters,
        "events": page.items,
        "total": page.total_text,
        "link": link,
        "sports": list(sports.items()),
        "kinds": [(kind.value, KIND_NAMES[kind]) for kind in Kind],
    }
    if htmx.targets("event-list"):
        return render_template("events/partials/_list.html", **context)
    return render_template("events/page.html", **context)


@bp.get("/new")
@login_required
def new_event_page():
    """The create form."""
    return render_template("events/form.html", **_form_context(None, {}, {}))


@bp.post("/new")
@login_required
def create_event():
    """Create from the form (a weekly series when weekdays are ticked): the event page, or
    the form with its errors (422)."""
    data, errors = validate_form(EventCreateIn, {**_event_fields(), "repeat": _repeat_fields()})
    if data is not None:
        try:
            view = services.create_event(current(), data.model_dump())
        except DomainError as exc:
            errors = errors_by_field(exc.errors or []) or {"form": str(exc)}
        else:
            db.session.commit()
            return htmx.go(url_for("events_pages.event_page", event_id=view.event.id))
    return _form_with_errors(None, errors)


@bp.get("/<int:event_id>")
@login_required
def event_page(event_id: int):
    """One event: details, join/leave, participants."""
    return render_template("events/event.html", **_event_context(event_id))


JOIN_TOASTS = {
    services.Outcome.JOINED: _l("You are in!"),
    services.Outcome.PENDING: _l("Application sent."),
    services.Outcome.WAITLISTED: _l("You are on the waitlist."),
}


@bp.post("/<int:event_id>/join")
@login_required
def join(event_id: int):
    """Join or apply from the page: the join box, redrawn (409 with the reason when
    refused)."""
    fields = {
        "message": request.form.get("message", ""),
        "series": bool(request.form.get("series")),
    }
    data, errors = validate_form(EventJoinIn, fields)
    if data is None:
        context = _event_context(event_id)
        return render_template(
            "events/partials/_join.html", **context, error=errors.get("message")
        ), 422
    try:
        _view, outcome = services.join_event(
            current(), event_id, message=data.message, series=data.series
        )
    except Conflict as exc:
        db.session.rollback()
        context = _event_context(event_id)
        return render_template("events/partials/_join.html", **context, error=exc.detail), 409
    db.session.commit()
    html = render_template("events/partials/_join.html", **_event_context(event_id), oob=True)
    return htmx.answer(html, toast=JOIN_TOASTS.get(outcome))


@bp.post("/<int:event_id>/leave")
@login_required
def leave(event_id: int):
    """Leave, withdraw or step off the waitlist from the page: the join box, redrawn."""
    try:
        services.leave_event(current(), event_id)
    except Conflict as exc:
        db.session.rollback()
        context = _event_context(event_id)
        return render_template("events/partials/_join.html", **context, error=exc.detail), 409
    db.session.commit()
    return render_template("events/partials/_join.html", **_event_context(event_id), oob=True)


@bp.post("/<int:event_id>/reminders")
@login_required
def reminders(event_id: int):
    """Turn the viewer's reminders of this event on or off: the join box, redrawn."""
    enabled = request.form.get("enabled") == "1"
    try:
        services.set_reminders(current(), event_id, enabled)
    except Conflict as exc:
        db.session.rollback()
        context = _event_context(event_id)
        return render_template("events/partials/_join.html", **context, error=exc.detail), 409
    db.session.commit()
    toast = _("Reminders on.") if enabled else _("Reminders off.")
    html = render_template("events/partials/_join.html", **_event_context(event_id))
    return htmx.answer(html, toast=toast)


@bp.post("/<int:event_id>/cancel")
@login_required
def cancel(event_id: int):
    """Cancel the event (or this occurrence) from the organiser's page: the page again."""
    try:
        services.cancel_event(current(), event_id)
    except Conflict as exc:
        db.session.rollback()
        return htmx.answer("", 409, toast=exc.detail)
    db.session.commit()
    page = url_for("events_pages.event_page", event_id=event_id)
    return htmx.go(page, toast=_("The event is cancelled."))


@bp.post("/<int:event_id>/applications/<int:user_id>/approve")
@login_required
def approve(event_id: int, user_id: int):
    """Approve from the organiser's view: the applications, and the participants."""
    return _decide(event_id, lambda: services.approve_application(current(), event_id, user_id))


@bp.post("/<int:event_id>/applications/<int:user_id>/reject")
@login_required
def reject(event_id: int, user_id: int):
    """Reject (with an optional reason) from the organiser's view."""
    data, errors = validate_form(ApplicationRejectIn, {"reason": request.form.get("reason", "")})
    if data is None:
        return _applications_answer(event_id, errors.get("reason"), 422)
    reason = data.reason
    return _decide(
        event_id, lambda: services.reject_application(current(), event_id, user_id, reason)
    )


def _decide(event_id: int, decide: Callable[[], tuple[str, services.Outcome]]) -> Any:
    try:
        status, _outcome = decide()
    except (Conflict, NotFound) as exc:
        db.session.rollback()
        return _applications_answer(event_id, exc.detail, exc.status)
    db.session.commit()
    toast = _("Approved.") if status == "joined" else STATUS_NAMES.get(status)
    return htmx.answer(_applications_answer(event_id, None, 200)[0], toast=toast)


def _applications_answer(event_id: int, error: Any, status: int) -> tuple[str, int]:
    context = _event_context(event_id)
    html = render_template("events/partials/_applications.html", **context, error=error)
    html += render_template("events/partials/_participants.html", **context, oob=True)
    return html, status


@bp.get("/<int:event_id>/edit")
@login_required
def edit_event_page(event_id: int):
    """The edit form (creator or admin)."""
    view = services.view_event(current(), event_id)
    if not services.can_change(current(), view.event):
        raise Forbidden(_("Only the creator or an admin may change this event."))
    return render_template("events/form.html", **_form_context(view, {}, {}))


@bp.post("/<int:event_id>/edit")
@login_required
def save_event(event_id: int):
    """Save the edit form: the event page, or the form with its errors."""
    event: Any = services.view_event(current(), event_id)
    data, errors = validate_form(EventIn, _event_fields())
    if data is not None:
        try:
            services.update_event(current(), event_id, data.model_dump())
        except DomainError as exc:
            if exc.status == 403:
                raise
            db.session.rollback()
            event = services.view_event(current(), event_id)
            errors = errors_by_field(exc.errors or []) or {"form": str(exc.detail)}
        else:
            db.session.commit()
            return htmx.go(url_for("events_pages.event_page", event_id=event_id))
    return _form_with_errors(event, errors)


@bp.post("/<int:event_id>/delete")
@login_required
def delete_event(event_id: int):
    """Delete (creator or admin), then back to the list."""
    services.delete_event(current(), event_id)
    db.session.commit()
    return htmx.go(url_for("events_pages.events_page"))


def _form_with_errors(event: Any, errors: dict[str, str]) -> tuple[str, int]:
    values = request.form.to_dict()
    context = _form_context(event, values, errors)
    if htmx.wants_fragment():
        html = render_template("events/partials/_form.html", **context)
    else:
        html = render_template("events/form.html", **context)
    return html, 422


def _event_context(event_id: int) -> dict[str, Any]:
    user = current()
    view = services.view_event(user, event_id)
    people = services.list_participants(event_id, limit=PARTICIPANTS_SHOWN).items
    can_change = services.can_change(user, view.event)
    return {
        "event": view,
        "people": people,
        "can_change": can_change,
        "is_organiser": view.event.creator_id == user.id,
        "started": view.event.starts_at <= utcnow(),
        "waitlist_place": services.waitlist_place(user, event_id)
        if view.status == "waitlisted"
        else None,
        "organiser_contact": services.organiser_contact(view.event)
        if view.status == "joined"
        else None,
        "applications": services.list_applications(user, event_id, limit=APPLICATIONS_SHOWN).items
        if can_change
        else [],
    }
