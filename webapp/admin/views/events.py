"""Events and their participants: lists, an event's participants page, delete an event.

Deleting goes through `webapp.events.services.delete_event` (creator or admin; it removes
the seats too) inside `audited_change`, so it is in the audit log.
"""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, request, url_for
from flask_admin import Admin, expose
from flask_admin.model.template import EndpointLinkRowAction
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect as sa_inspect

from webapp.admin.access import SecureModelView
from webapp.admin.audit import snapshot
from webapp.admin.changes import audited_change
from webapp.admin.forms import ConfirmForm
from webapp.admin.people import PeopleMixin, person_column
from webapp.errors import NotFound
from webapp.events import services as events
from webapp.events.models import Event, Participant
from webapp.extensions import db

AUDITED_FIELDS = ("title", "starts_at", "location", "capacity", "participants_count")
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
        """One event and who joined it, in the order they joined."""
        page = request.args.get("page", 0, type=int)
        page = max(page, 0)
        try:
            event = events.get_event(event_id)
            people_page = events.list_participants(
                event_id, skip=page * PARTICIPANTS_PAGE, limit=PARTICIPANTS_PAGE
            )
        except NotFound:
            abort(404)
        return self.render(
            "admin/hub/event_participants.html",
            event=event,
            people=people_page.items,
            total=people_page.total,
            page=page,
            page_size=PARTICIPANTS_PAGE,
            pages=(people_page.total + PARTICIPANTS_PAGE - 1) // PARTICIPANTS_PAGE,
        )

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


def register(admin: Admin) -> None:
    admin.add_view(EventView(Event, db, name=_l("Events"), endpoint="events"))
    admin.add_view(
        ParticipantView(Participant, db, name=_l("Participants"), endpoint="participants")
    )
