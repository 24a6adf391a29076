"""`/api/admin/broadcasts`: compose, count, test, send, follow and cancel a broadcast (admins).

Every route needs a signed-in admin (a bearer token from `/api/auth/login`): anyone else
gets a 403 from the service.
"""

from __future__ import annotations

from flask import jsonify

from webapp.admin.broadcasts import services
from webapp.admin.broadcasts.schemas import (
    AudienceCountIn,
    BroadcastCreated,
    BroadcastIn,
    BroadcastOut,
    BroadcastPath,
    BroadcastSummary,
    MessageIn,
    RecipientsOut,
)
from webapp.api import Page, Pagination, Problem, api_blueprint, page_of, respond
from webapp.auth.identity import current, login_required
from webapp.extensions import db

bp = api_blueprint(
    "broadcasts_api",
    __name__,
    "/api/admin/broadcasts",
    tag="broadcasts",
    description="Broadcasts (admins)",
)


def _button(body: MessageIn) -> services.Button | None:
    return body.button.button() if body.button is not None else None


@bp.post("", responses={201: BroadcastCreated})
@login_required
def create_broadcast(body: BroadcastIn):
    """Send a message to an audience: queued now, delivered by the bot's sender."""
    broadcast = services.create_broadcast(
        current(), body.text, body.audience.audience(), _button(body)
    )
    db.session.commit()
    return respond(BroadcastCreated, broadcast, 201)


@bp.get("", responses={200: Page[BroadcastSummary]})
@login_required
def list_broadcasts(query: Pagination):
    """Broadcasts, newest first."""
    page = services.list_broadcasts(current(), skip=query.skip, limit=query.limit)
    return page_of(BroadcastSummary, page, query)


@bp.post("/count", responses={200: RecipientsOut})
@login_required
def count_recipients(body: AudienceCountIn):
    """How many people a broadcast to this audience would reach now."""
    count = services.count_recipients(current(), body.audience.audience())
    return respond(RecipientsOut, {"recipients": count})


@bp.post("/test", responses={202: None, 409: Problem})
@login_required
def send_test(body: MessageIn):
    """Send the message to yourself (409 when your account has no Telegram chat)."""
    services.send_test(current(), body.text, _button(body))
    db.session.commit()
    return jsonify({"queued": True}), 202


@bp.get("/<int:broadcast_id>", responses={200: BroadcastOut})
@login_required
def get_broadcast(path: BroadcastPath):
    """A broadcast's delivery report: queued, sent, blocked, failed, cancelled, the rate."""
    report = services.report(current(), path.broadcast_id)
    return respond(BroadcastOut, BroadcastOut.of(report))


@bp.post("/<int:broadcast_id>/cancel", responses={200: BroadcastOut, 409: Problem})
@login_required
def cancel_broadcast(path: BroadcastPath):
    """Withdraw the messages not sent yet (409 when everything was sent)."""
    services.cancel(current(), path.broadcast_id)
    db.session.commit()
    report = services.report(current(), path.broadcast_id)
    return respond(BroadcastOut, BroadcastOut.of(report))
