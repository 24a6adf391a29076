"""Closing orders: the two sweeps `jobs/market.py` runs (expiry; closing taken orders the
client did not respond to, with refunds) and an admin's force-close (the same refunds).

The sweeps are set-based `UPDATE … WHERE status = 'active' … RETURNING`, picking rows with
`FOR UPDATE SKIP LOCKED`: a second worker running at the same moment finds nothing to do,
so nothing is expired or refunded twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, and_, or_, select, update

from webapp.database import utcnow
from webapp.errors import Conflict, ValidationFailed, field_error
from webapp.extensions import db
from webapp.market import money, notifications
from webapp.market.config import settings
from webapp.market.models import Order, OrderStatus, Take, TransactionType
from webapp.market.services.orders import lock_order
from webapp.users.models import User
from webapp.users.roles import require_admin

_orders = Order.__table__
_takes = Take.__table__


def expire_overdue_orders(now: datetime | None = None) -> int:
    """Expire overdue orders in one set-based statement; returns how many."""
    now = now or utcnow()
    due = (
        select(Order.id)
        .where(
            Order.status == OrderStatus.ACTIVE,
            Order.expires_at <= now,
            or_(Order.takes_count == 0, Order.responded_at.is_not(None)),
        )
        .with_for_update(skip_locked=True)
    )
    result = db.session.execute(
        update(_orders)
        .where(_orders.c.id.in_(due.scalar_subquery()), _orders.c.status == "active")
        .values(status=OrderStatus.EXPIRED.value, closed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return cast("CursorResult[Any]", result).rowcount or 0  # an UPDATE's result has a count


def close_unanswered_orders(now: datetime | None = None) -> list[str]:
    """Close taken orders the client did not respond to in time and refund every take.

    Returns the closed order ids. Each take is refunded exactly once: the order's status
    changes under a guard, the take's `refunded_at` too, and `(refund, take:<id>)` is unique.
    """
    now = now or utcnow()
    deadline = now - settings().response_window
    due = (
        select(Order.id)
        .where(
            Order.status == OrderStatus.ACTIVE,
            Order.responded_at.is_(None),
            Order.first_taken_at <= deadline,
        )
        .with_for_update(skip_locked=True)
    )
    return close_and_refund(
        due.scalar_subquery(),
        OrderStatus.CLOSED_NO_RESPONSE,
        now,
        guards=(_orders.c.responded_at.is_(None),),
    )


def force_close_order(
    actor: User, order_id: str, reason: str, now: datetime | None = None
) -> Order:
    """An admin closes an active order and refunds every take not refunded yet.

    The final status is `deleted`: the order leaves the feed and everyone's lists (as when
    its client deletes it), while `closed_no_response` would claim the client was silent and
    `expired` would keep it in the executors' lists without their money. The refunds are
    the no-response job's own (`close_and_refund`), so a take is refunded once even when
    that job runs at the same moment; the executors are told in chat. The reason is
    required; the caller keeps it (the dashboard's audit entry). Raises 403 (not an admin),
    404 (no such order), 409 (not active), 422 (no reason).
    """
    require_admin(actor, _l("Only an administrator may force-close an order."))
    if not (reason or "").strip():
        raise ValidationFailed(
            _l("Some fields are missing or invalid."),
            errors=[field_error("reason", _l("Give a reason."))],
        )
    now = now or utcnow()
    order = lock_order(order_id)  # the same lock order as a take: the order row first
    if order.status != OrderStatus.ACTIVE:
        raise Conflict(_l("This order is no longer active."))
    if not close_and_refund([order_id], OrderStatus.DELETED, now, forced=True):
        # Under the row lock only on PostgreSQL; on SQLite the guarded UPDATE is the check.
        raise Conflict(_l("This order is no longer active."))
    return db.session.scalars(
        select(Order).where(Order.id == order_id).execution_options(populate_existing=True)
    ).one()


def close_and_refund(
    order_ids: Any,
    status: OrderStatus,
    now: datetime,
    *,
    guards: tuple[Any, ...] = (),
    forced: bool = False,
) -> list[str]:
    """Close the still-active orders among `order_ids` and refund each of their takes once.

    The one refund mechanism (the no-response sweep and an admin's force-close): the status
    changes in a guarded `UPDATE … WHERE status = 'active' … RETURNING`, then the takes'
    `refunded_at` in a guarded `UPDATE … WHERE refunded_at IS NULL … RETURNING`, then one
    `(refund, take:<id>)` credit per take (unique) with the executor told in chat. Returns
    the closed order ids.
    """
    closed = list(
        db.session.execute(
            update(_orders)
            .where(_orders.c.id.in_(order_ids), _orders.c.status == "active", *guards)
            .values(status=status.value, closed_at=now, updated_at=now)
            .returning(_orders.c.id)
        ).scalars()
    )
    if not closed:
        return []
    refunds = db.session.execute(
        update(_takes)
        .where(and_(_takes.c.order_id.in_(closed), _takes.c.refunded_at.is_(None)))
        .values(refunded_at=now)
        .returning(_takes.c.id, _takes.c.executor_id, _takes.c.price, _takes.c.order_id)
    ).all()
    # Accounts in a fixed order (after the orders, like a take), so workers never deadlock.
    for take_id, executor_id, price, order_id in sorted(refunds, key=lambda r: (r[1], r[0])):
        money.credit(executor_id, price, TransactionType.REFUND, f"take:{take_id}")
        notifications.announce_refund(executor_id, order_id, price, forced=forced)
    return closed
