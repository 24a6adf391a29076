"""Events, their participants and the sports catalogue.

An event's page (`/admin/events/<id>/participants`) edits the event, cancels or deletes
it, seats or removes people and decides applications; the sports page adds, renames and
deletes sports. Every change goes through `webapp.events.services` / `webapp.events.sports`
(the rules of the app: capacity and the waitlist, messages to the people concerned) inside
`audited_change`, so it is in the audit log with before and after.
"""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import abort, redirect, request, url_for
from flask_admin import Admin, expose
from flask_admin.model.template import EndpointLinkRowAction
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone, to_utc
from flask_wtf import FlaskForm
from sqlalchemy import inspect as sa_inspect
from wtforms import (  # type: ignore[attr-defined]  # SelectChoice is not in the stubs yet
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from webapp.admin.access import SecureModelView, require_dashboard_user
from webapp.admin.audit import snapshot
from webapp.admin.changes import audited_change
from webapp.admin.forms import ConfirmForm, flash_form_errors
from webapp.admin.people import PeopleMixin, person_column
from webapp.errors import NotFound
from webapp.events import services as events
from webapp.events import sports as catalogue
from webapp.events.labels import JOIN_MODE_NAMES, KIND_NAMES, LEVEL_NAMES
from webapp.events.models import Event, JoinMode, Kind, Level, Participant, Sport
from webapp.extensions import db

AUDITED_FIELDS = (
    "title",
    "starts_at",
    "location",
    "capacity",
    "participants_count",
    "kind",
    "sport_key",
    "level",
    "fee",
    "join_mode",
    "cancelled_at",
)
SPORT_FIELDS = ("key", "name_en", "name_ru", "position")


class EventForm(FlaskForm):
    """The event's fields an admin edits (times in the admin's zone, as the dashboard
    shows them)."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    starts_at = DateTimeLocalField(
        _l("Starts"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    location = StringField(_l("Location"), validators=[Optional(), Length(max=300)])
    capacity = IntegerField(
        _l("Capacity"), validators=[Optional(), NumberRange(min=1, max=100_000)]
    )
    fee = StringField(_l("Fee, roubles"), validators=[Optional(), Length(max=20)])
    kind = SelectField(_l("Kind"))
    sport = SelectField(_l("Sport"))
    level = SelectField(_l("Level"))
    join_mode = SelectField(_l("Who can join"))


class PersonForm(FlaskForm):
    user_id = IntegerField(
        _l("User id"), validators=[DataRequired(), NumberRange(min=1, max=2**31 - 1)]
    )


class SportForm(FlaskForm):
    key = StringField(
        _l("Key"),
        validators=[DataRequired(), Regexp(r"^[a-z][a-z0-9_]{0,31}$")],
    )
    name_en = StringField(_l("English name"), validators=[DataRequired(), Length(max=64)])
    name_ru = StringField(_l("Russian name"), validators=[DataRequired(), Length(max=64)])
    position = IntegerField(
        _l("Position"), validators=[Optional(), NumberRange(min=0, max=1_000_000)]
    )


def _event_form(event: Event | None = None) -> EventForm:
    form = EventForm(obj=None)
    form.kind.choices = [SelectChoice(k.value, KIND_NAMES[k]) for k in Kind]
    form.level.choices = [SelectChoice(k.value, LEVEL_NAMES[k]) for k in Level]
    form.join_mode.choices = [SelectChoice(k.value, JOIN_MODE_NAMES[k]) for k in JoinMode]
    form.sport.choices = [SelectChoice("", "—")] + [
        SelectChoice(key, name) for key, name in catalogue.sport_names().items()
    ]
    if event is not None and request.method == "GET":
        form.title.data = event.title
        form.starts_at.data = to_user_timezone(event.starts_at).replace(tzinfo=None)
        form.location.data = event.location
        form.capacity.data = event.capacity
        form.fee.data = "" if event.fee is None else f"{event.fee / 100:.2f}"
        form.kind.data = event.kind.value
        form.sport.data = event.sport_key or ""
        form.level.data = event.level.value
        form.join_mode.data = event.join_mode.value
    return form


def _fee_kopecks(text: str | None) -> int | None:
    if not text or not text.strip():
        return None
    try:
        amount = Decimal(text.replace(",", ".").strip())
    except InvalidOperation:
        return -1  # refused by the service's rule (a fee is not negative)
    return int((amount * 100).to_integral_value()) if amount.is_finite() else -1


PARTICIPANTS_PAGE = 100


def describe(event: Event) -> dict[str, Any]:
    state = sa_inspect(event)
    if state.deleted or state.was_deleted:
        return {"deleted": True}
    return snapshot(event, AUDITED_FIELDS)


class EventView(PeopleMixin, SecureModelView):
    people_columns = ("creator_id",)
    column_list = (
        "id",
        "title",
        "starts_at",
        "location",
        "capacity",
        "participants_count",
        "creator_id",
        "created_at",
    )
    column_searchable_list = ("title", "location", "description")
    column_filters = ("starts_at", "creator_id", "capacity", "participants_count", "created_at")
    column_default_sort = ("starts_at", True)
    column_labels = {
        "kind": _l("Kind"),
        "level": _l("Level"),
        "fee": _l("Fee"),
        "latitude": _l("Latitude"),
        "longitude": _l("Longitude"),
        "city_id": _l("City"),
        "join_mode": _l("Joining"),
        "cancelled_at": _l("Cancelled at"),
        "waitlist_seq": _l("Waitlist counter"),
        "title": _l("Title"),
        "description": _l("Description"),
        "starts_at": _l("Starts"),
        "location": _l("Location"),
        "capacity": _l("Capacity"),
        "participants_count": _l("Participants"),
        "creator_id": _l("Creator"),
        "created_at": _l("Created"),
        "updated_at": _l("Updated"),
    }
    column_formatters = {"creator_id": person_column}
    column_extra_row_actions = [
        EndpointLinkRowAction(
            "fa fa-users", ".participants", title=_l("Participants"), id_arg="event_id"
        )
    ]

    @expose("/<int:event_id>/participants")
    def participants(self, event_id: int) -> Any:
        """One event: edit it, who joined (in the order they joined), applications and the
        waitlist, with the changes an admin may make."""
        page = request.args.get("page", 0, type=int)
        page = max(page, 0)
        try:
            event = events.get_event(event_id)
            people_page = events.list_participants(
                event_id, skip=page * PARTICIPANTS_PAGE, limit=PARTICIPANTS_PAGE
            )
            applications = events.list_applications(
                self.current_actor(), event_id, limit=PARTICIPANTS_PAGE
            ).items
        except NotFound:
            abort(404)
        return self.render(
            "admin/hub/event_participants.html",
            event=event,
            form=_event_form(event),
            person_form=PersonForm(),
            confirm=ConfirmForm(),
            applications=applications,
            people=people_page.items,
            total=people_page.total,
            page=page,
            page_size=PARTICIPANTS_PAGE,
            pages=(people_page.total + PARTICIPANTS_PAGE - 1) // PARTICIPANTS_PAGE,
        )

    def current_actor(self) -> Any:
        return require_dashboard_user()

    def _back(self, event_id: int) -> Any:
        return redirect(url_for(".participants", event_id=event_id))

    @expose("/<int:event_id>/edit", methods=["POST"])
    def edit(self, event_id: int) -> Any:
        """Change the event through `update_event` (people are told of a new time or
        place; a lower capacity than the participants is refused)."""
        form = _event_form()
        if not form.validate_on_submit():
            flash_form_errors(form)
            return self._back(event_id)
        starts_at = to_utc(form.starts_at.data).replace(tzinfo=UTC)
        changes = {
            "title": form.title.data.strip(),  # type: ignore[union-attr]
            "starts_at": starts_at,
            "location": (form.location.data or "").strip(),
            "capacity": form.capacity.data,
            "kind": Kind(form.kind.data),
            "sport": form.sport.data or None,
            "level": Level(form.level.data),
            "join_mode": JoinMode(form.join_mode.data),
            "fee": None
            if (kopecks := _fee_kopecks(form.fee.data)) is None
            else {"amount": kopecks},
        }
        audited_change(
            "event.update",
            load=lambda: events.get_event(event_id),
            change=lambda actor: events.update_event(actor, event_id, changes).event,
            describe=describe,
        )
        return self._back(event_id)

    @expose("/<int:event_id>/cancel", methods=["POST"])
    def cancel(self, event_id: int) -> Any:
        """Cancel the event (everyone in or applying is told)."""
        if ConfirmForm().validate_on_submit():
            audited_change(
                "event.cancel",
                load=lambda: events.get_event(event_id),
                change=lambda actor: events.cancel_event(actor, event_id).event,
                describe=describe,
                done=_("Event cancelled."),
            )
        return self._back(event_id)

    def _seat_change(self, action: str, event_id: int, user_id: int, change: Any) -> None:
        def seat(event: Event) -> dict[str, Any]:
            return {
                "user_id": user_id,
                "status": events.person_status(event.id, user_id),
                "participants_count": event.participants_count,
            }

        def run(actor: Any) -> Event:
            change(actor)
            event = events.get_event(event_id)
            db.session.refresh(event)
            return event

        audited_change(action, load=lambda: events.get_event(event_id), change=run, describe=seat)

    @expose("/<int:event_id>/participants/add", methods=["POST"])
    def add_participant(self, event_id: int) -> Any:
        """Seat someone by user id (the waitlist when the event is full)."""
        form = PersonForm()
        if form.validate_on_submit():
            user_id = int(form.user_id.data)  # type: ignore[arg-type]
            self._seat_change(
                "event.participant.add",
                event_id,
                user_id,
                lambda actor: events.add_participant(actor, event_id, user_id),
            )
        else:
            flash_form_errors(form)
        return self._back(event_id)

    @expose("/<int:event_id>/participants/<int:user_id>/remove", methods=["POST"])
    def remove_participant(self, event_id: int, user_id: int) -> Any:
        """Take a seat away (the first on the waitlist takes it)."""
        if ConfirmForm().validate_on_submit():
            self._seat_change(
                "event.participant.remove",
                event_id,
                user_id,
                lambda actor: events.remove_participant(actor, event_id, user_id),
            )
        return self._back(event_id)

    @expose("/<int:event_id>/applications/<int:user_id>/<decision>", methods=["POST"])
    def decide(self, event_id: int, user_id: int, decision: str) -> Any:
        """Approve or reject an application, as the organiser would (the applicant is
        told)."""
        if decision not in ("approve", "reject"):
            abort(404)
        if ConfirmForm().validate_on_submit():
            if decision == "approve":
                self._seat_change(
                    "event.application.approve",
                    event_id,
                    user_id,
                    lambda actor: events.approve_application(actor, event_id, user_id),
                )
            else:
                reason = (request.form.get("reason") or "").strip()[:500]
                self._seat_change(
                    "event.application.reject",
                    event_id,
                    user_id,
                    lambda actor: events.reject_application(actor, event_id, user_id, reason),
                )
        return self._back(event_id)

    @expose("/<int:event_id>/delete", methods=["POST"])
    def delete(self, event_id: int) -> Any:
        """Delete the event (and its seats); the list shows the outcome."""
        if ConfirmForm().validate_on_submit():
            audited_change(
                "event.delete",
                load=lambda: events.get_event(event_id),
                change=lambda actor: events.delete_event(actor, event_id),
                describe=describe,
                done=_("Event deleted."),
            )
        return redirect(url_for(".index_view"))


class ParticipantView(PeopleMixin, SecureModelView):
    people_columns = ("user_id",)
    can_view_details = False
    column_list = ("id", "event_id", "user_id", "joined_at")
    column_filters = ("event_id", "user_id", "joined_at")
    column_default_sort = ("id", True)
    column_labels = {
        "event_id": _l("Event"),
        "user_id": _l("User"),
        "joined_at": _l("Joined"),
    }
    column_formatters = {
        "user_id": person_column,
        "event_id": lambda _v, _c, seat, _n: seat.event_id,
    }


class SportView(SecureModelView):
    """The sports catalogue: add or rename (the form above the list), delete one no event
    uses."""

    list_template = "admin/hub/event_sports.html"
    can_view_details = False
    column_list = ("key", "name_en", "name_ru", "position")
    column_default_sort = ("position", False)
    column_labels = {
        "key": _l("Key"),
        "name_en": _l("English name"),
        "name_ru": _l("Russian name"),
        "position": _l("Position"),
    }

    def render(self, template: str, **kwargs: Any) -> Any:
        kwargs.setdefault("sport_form", SportForm())
        kwargs.setdefault("confirm", ConfirmForm())
        return super().render(template, **kwargs)

    @expose("/save", methods=["POST"])
    def save(self) -> Any:
        """Add a sport, or rename the one with this key."""
        form = SportForm()
        if form.validate_on_submit():
            key = form.key.data or ""
            existing = db.session.get(Sport, key)
            audited_change(
                "sport.save",
                load=(lambda: existing) if existing is not None else None,
                change=lambda actor: catalogue.save_sport(
                    actor, key, form.name_en.data or "", form.name_ru.data or "", form.position.data
                ),
                describe=lambda sport: snapshot(sport, SPORT_FIELDS),
            )
        else:
            flash_form_errors(form)
        return redirect(url_for(".index_view"))

    @expose("/<key>/delete", methods=["POST"])
    def delete(self, key: str) -> Any:
        """Delete a sport no event uses (409 as a message otherwise)."""

        def remove(actor: Any) -> tuple[str, str]:
            catalogue.delete_sport(actor, key)
            return ("event_sports", key)

        def describe_sport(target: Any) -> dict[str, Any]:
            if isinstance(target, tuple):
                return {"deleted": True}
            return snapshot(target, SPORT_FIELDS)

        if ConfirmForm().validate_on_submit():
            audited_change(
                "sport.delete",
                load=lambda: catalogue.get_sport(key),
                change=remove,
                describe=describe_sport,
            )
        return redirect(url_for(".index_view"))


def register(admin: Admin) -> None:
    admin.add_view(EventView(Event, db, name=_l("Events"), endpoint="events"))
    admin.add_view(
        ParticipantView(Participant, db, name=_l("Participants"), endpoint="participants")
    )
    admin.add_view(SportView(Sport, db, name=_l("Sports"), endpoint="sports"))
