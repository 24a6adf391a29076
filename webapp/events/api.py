"""JSON routes for events: `/api/events`, joining and leaving, participants."""

from __future__ import annotations

from webapp.api import Page, Pagination, Problem, api_blueprint, no_content, page_of, respond
from webapp.auth.identity import current, login_required
from webapp.events import services
from webapp.events.schemas import (
    ApplicationDecisionOut,
    ApplicationOut,
    ApplicationPath,
    ApplicationQuery,
    ApplicationRejectIn,
    EventCreateIn,
    EventIn,
    EventJoinIn,
    EventOut,
    EventPatch,
    EventPath,
    EventQuery,
    ParticipantOut,
    RemindersIn,
    RemindersOut,
    SportList,
    SportOut,
)
from webapp.events.sports import language, list_sports
from webapp.extensions import db

bp = api_blueprint("events_api", __name__, "/api/events", tag="events", description="Events")


@bp.get("", responses={200: Page[EventOut]})
@login_required
def list_events(query: EventQuery):
    """Events: `when=upcoming` (default, soonest first), `past` or `all`; filtered by
    `search`, `sport`, `kind`, `level`, `city`, `date_from`/`date_to`, `mine`; with
    `near=<lat>,<lon>` (and `radius_km`, default 25) nearest first."""
    filters = services.EventFilters(
        when=query.when,
        search=query.search,
        sport=query.sport,
        kind=query.kind.value if query.kind else None,
        level=query.level.value if query.level else None,
        city=query.city_value,
        date_from=query.moments[0],
        date_to=query.moments[1],
        mine=query.mine,
        near=query.point,
        radius_km=query.radius_km,
        series_id=query.series_id,
    )
    page = services.list_events(current(), filters=filters, skip=query.skip, limit=query.limit)
    return page_of(EventOut, page, query)


@bp.get("/sports", responses={200: SportList})
@login_required
def list_sports_route():
    """The sports catalogue (keys for `sport`), in the catalogue's order; `name` in the
    reader's language."""
    lang = language()
    items = [
        SportOut(key=s.key, name=s.name(lang), name_en=s.name_en, name_ru=s.name_ru)
        for s in list_sports()
    ]
    return respond(SportList, SportList(items=items))


@bp.post("", responses={201: EventOut})
@login_required
def create_event(body: EventCreateIn):
    """Create an event (it must start in the future), or with `repeat` a weekly series of
    occurrences (the first is answered; `GET /api/events?series_id=` lists them)."""
    event = services.create_event(current(), body.model_dump())
    db.session.commit()
    return respond(EventOut, event, 201)


@bp.get("/<int:event_id>", responses={200: EventOut, 404: Problem})
@login_required
def get_event(path: EventPath):
    """One event, with `participants_count` and whether the caller `joined`."""
    return respond(EventOut, services.view_event(current(), path.event_id))


@bp.put("/<int:event_id>", responses={200: EventOut, 404: Problem, 409: Problem})
@login_required
def replace_event(path: EventPath, body: EventIn):
    """Replace an event (creator or admin)."""
    event = services.update_event(current(), path.event_id, body.model_dump())
    db.session.commit()
    return respond(EventOut, event)


@bp.patch("/<int:event_id>", responses={200: EventOut, 404: Problem, 409: Problem})
@login_required
def patch_event(path: EventPath, body: EventPatch):
    """Change some fields of an event (creator or admin)."""
    event = services.update_event(current(), path.event_id, body.model_dump(exclude_unset=True))
    db.session.commit()
    return respond(EventOut, event)


@bp.delete("/<int:event_id>", responses={204: None, 404: Problem})
@login_required
def delete_event(path: EventPath):
    """Delete an event (creator or admin)."""
    services.delete_event(current(), path.event_id)
    db.session.commit()
    return no_content()


JOIN_STATUS = {
    services.Outcome.JOINED: 201,
    services.Outcome.WAITLISTED: 201,
    services.Outcome.PENDING: 202,
    services.Outcome.ALREADY: 200,
}


@bp.post(
    "/<int:event_id>/join",
    responses={200: EventOut, 201: EventOut, 202: EventOut, 409: Problem},
)
@login_required
def join_event(path: EventPath, body: EventJoinIn):
    """Join (with `series: true`, every later occurrence of its series too, each by its
    own rules; the answer is this occurrence's). An open event: 201 with `status: joined`,
    or `waitlisted` when it is full (the first on the waitlist takes the next free place
    and is told). An approval event: 202
    with `status: pending` (the organiser decides; `message` goes to them). 200 when
    already in, pending or waitlisted; 409 when started, cancelled, or declined before."""
    event, outcome = services.join_event(
        current(), path.event_id, message=body.message, series=body.series
    )
    db.session.commit()
    return respond(EventOut, event, JOIN_STATUS[outcome])


@bp.delete("/<int:event_id>/join", responses={200: EventOut, 409: Problem})
@login_required
def leave_event(path: EventPath):
    """Leave, withdraw an application, or step off the waitlist (a no-op when none);
    409 once the event has started."""
    event = services.leave_event(current(), path.event_id)
    db.session.commit()
    return respond(EventOut, event)


@bp.post("/<int:event_id>/cancel", responses={200: EventOut, 409: Problem})
@login_required
def cancel_event(path: EventPath):
    """Cancel the event, or this one occurrence of a series (the organiser or an admin):
    it stays listed with `cancelled: true`, and everyone in or applying is told once."""
    event = services.cancel_event(current(), path.event_id)
    db.session.commit()
    return respond(EventOut, event)


@bp.put("/<int:event_id>/reminders", responses={200: RemindersOut, 409: Problem})
@login_required
def set_reminders(path: EventPath, body: RemindersIn):
    """Turn your reminders of this event on or off (participants; 409 otherwise)."""
    enabled = services.set_reminders(current(), path.event_id, body.enabled)
    db.session.commit()
    return respond(RemindersOut, {"enabled": enabled})


@bp.get("/<int:event_id>/applications", responses={200: Page[ApplicationOut], 404: Problem})
@login_required
def list_applications(path: EventPath, query: ApplicationQuery):
    """Applications and the waitlist (the organiser or an admin): pending first in the order
    they came, then the waitlist in its order, then the declined; `status` filters."""
    page = services.list_applications(
        current(), path.event_id, status=query.status, skip=query.skip, limit=query.limit
    )
    return page_of(ApplicationOut, page, query)


@bp.post(
    "/<int:event_id>/applications/<int:user_id>/approve",
    responses={200: ApplicationDecisionOut, 404: Problem, 409: Problem},
)
@login_required
def approve_application(path: ApplicationPath):
    """Approve (the organiser or an admin): `joined`, or `waitlisted` when the event is
    full. The applicant is told, with the organiser's contact. Again: no change."""
    status, _outcome = services.approve_application(current(), path.event_id, path.user_id)
    db.session.commit()
    return respond(ApplicationDecisionOut, {"user_id": path.user_id, "status": status})


@bp.post(
    "/<int:event_id>/applications/<int:user_id>/reject",
    responses={200: ApplicationDecisionOut, 404: Problem, 409: Problem},
)
@login_required
def reject_application(path: ApplicationPath, body: ApplicationRejectIn):
    """Decline an application or take someone off the waitlist (the organiser or an admin);
    the applicant is told, with `reason`. Again: no change."""
    status, _outcome = services.reject_application(
        current(), path.event_id, path.user_id, body.reason
    )
    db.session.commit()
    return respond(ApplicationDecisionOut, {"user_id": path.user_id, "status": status})


@bp.get("/<int:event_id>/participants", responses={200: Page[ParticipantOut], 404: Problem})
@login_required
def list_participants(path: EventPath, query: Pagination):
    """Who takes part, in the order they joined."""
    page = services.list_participants(path.event_id, skip=query.skip, limit=query.limit)
    return page_of(ParticipantOut, page, query)
