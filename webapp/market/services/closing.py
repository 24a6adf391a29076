"""The client closes their order (`POST /api/orders/<id>/close`):

* nobody took it yet → `withdrawn` (nothing was paid, so nothing to refund, as for a delete;
  unlike a deleted order it stays in the client's list);
* after takes → `closed`, without refunds (the executors saw the contact), and each executor
  is told in chat (once: `market:closed:<order>:<executor>`);
* after takes the client never responded to within the response window → the no-response
  close the sweep would make (`closed_no_response`, every take refunded once): closing
  cannot take the executors' refund away.

Lock order as for a take: the order row first (`lock_order`). Each change is a guarded
`UPDATE … WHERE status = 'active' …`, so on SQLite (no row locks) a take and a close at the
same moment still end either withdrawn with no take, or closed with every take told.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from webapp.database import utcnow
from webapp.errors import Conflict, Forbidden
from webapp.extensions import db
from webapp.market import order_messages
from webapp.market.config import settings
from webapp.market.models import Order, OrderStatus
from webapp.market.services.orders import close_refusal, lock_order
from webapp.market.services.sweeps import close_and_refund
from webapp.users.models import User

_orders = Order.__table__


def _reread(order_id: str) -> Order:
    return db.session.scalars(
        select(Order).where(Order.id == order_id).execution_options(populate_existing=True)
    ).one()


def close_order(actor: User, order_id: str, now: datetime | None = None) -> Order:
    """The client closes their active order. Raises 404 (no such order), 403 (not its
    client), 409 (no longer active)."""
    now = now or utcnow()
    order = lock_order(order_id)
    if order.client_id != actor.id:
        raise Forbidden(_l("Only the client who posted this order may close it."))
    refusal = close_refusal(order)
    if refusal is not None:
        raise Conflict(refusal)
    active = (_orders.c.id == order_id, _orders.c.status == OrderStatus.ACTIVE.value)
    withdrawn = db.session.execute(
        update(_orders)
        .where(*active, _orders.c.takes_count == 0)
        .values(status=OrderStatus.WITHDRAWN.value, closed_at=now, updated_at=now)
        .returning(_orders.c.id)
    ).scalar()
    if withdrawn is not None:
        return _reread(order_id)
    order = _reread(order_id)  # taken since it was read (SQLite has no row lock)
    window = settings().response_window
    unanswered = _orders.c.responded_at.is_(None) & (_orders.c.first_taken_at <= now - window)
    if close_and_refund([order_id], OrderStatus.CLOSED_NO_RESPONSE, now, guards=(unanswered,)):
        return _reread(order_id)
    closed = db.session.execute(
        update(_orders)
        .where(*active, _orders.c.takes_count > 0)
        .values(status=OrderStatus.CLOSED.value, closed_at=now, updated_at=now)
        .returning(_orders.c.id)
    ).scalar()
    if closed is None:
        raise Conflict(_l("This order is no longer active."))
    order = _reread(order_id)
    order_messages.order_closed(order)
    return order
