"""Market rules: posting, editing and deleting orders, taking them for money, the client's
response, completion, the two sweeps (expiry, closing without a response with refunds),
and an admin's force-close (with the same refunds).

Concurrency (PostgreSQL; SQLite serialises writers, and the guards hold there too):
* Lock order is fixed: the order row first (`SELECT … FOR UPDATE`, `populate_existing`),
  then the account row (inside the single guarded debit/credit statement). Takes, edits,
  completion and the sweeps all follow it, so they cannot deadlock each other.
* Counters and states change in guarded statements (`… WHERE takes_count < :max AND
  status = 'active'`), uniqueness is a constraint (one take per order and executor).
* The sweeps are set-based `UPDATE … WHERE status = 'active' … RETURNING`, picking rows
  with `FOR UPDATE SKIP LOCKED`: a second worker running at the same moment finds nothing
  to do, so nothing is expired or refunded twice.

Expiry versus the response rule (SPEC is silent on the overlap; decided here):
* an active order nobody took becomes `expired` at `expires_at`;
* once taken, the client has `MARKET_RESPONSE_MINUTES` from the first take to respond;
  without a response the order becomes `closed_no_response` and every take is refunded —
  even when `expires_at` passes first (the executors paid for a response);
* a taken order the client responded to becomes `expired` at `expires_at` (no refunds).
"""

from __future__ import annotations

import math
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, insert, literal, or_, select, update

from webapp.database import insert_ignoring_conflicts, utcnow
from webapp.errors import (
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    ValidationFailed,
    field_error,
)
from webapp.extensions import db
from webapp.market import money, notifications
from webapp.market.models import (
    BalanceTransaction,
    IdempotencyKey,
    Order,
    OrderStatus,
    Take,
    TransactionType,
)
from webapp.pagination import Page, paginate
from webapp.users.models import Role, User

# Letters and digits only: URL-safe, and fits the `order_<id>` start parameter.
ORDER_ID_ALPHABET = string.ascii_letters + string.digits
ORDER_ID_LENGTH = 12
_orders = Order.__table__
_takes = Take.__table__


@dataclass(frozen=True)
class MarketSettings:
    categories: list[str]
    cities: list[str]
    take_price: int
    max_takes: int
    order_ttl: timedelta
    response_window: timedelta
    orders_per_hour: int


def settings() -> MarketSettings:
    config = current_app.config
    return MarketSettings(
        categories=list(config["MARKET_CATEGORIES"]),
        cities=list(config["MARKET_CITIES"]),
        take_price=int(config["MARKET_TAKE_PRICE"]),
        max_takes=int(config["MARKET_MAX_TAKES"]),
        order_ttl=timedelta(minutes=int(config["MARKET_ORDER_TTL_MINUTES"])),
        response_window=timedelta(minutes=int(config["MARKET_RESPONSE_MINUTES"])),
        orders_per_hour=int(config["MARKET_ORDERS_PER_HOUR"]),
    )


def new_order_id() -> str:
    return "".join(secrets.choice(ORDER_ID_ALPHABET) for _ in range(ORDER_ID_LENGTH))


def minutes_left(order: Order, now: datetime | None = None) -> int:
    """Whole minutes until the order expires, rounded up; 0 once it is no longer open."""
    if order.status != OrderStatus.ACTIVE:
        return 0
    seconds = (order.expires_at - (now or utcnow())).total_seconds()
    return max(0, math.ceil(seconds / 60))


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderView:
    """An order as one viewer sees it: the contact only for its client and its executors."""

    order: Order
    contact: str | None
    is_mine: bool
    taken_by_me: bool
    minutes_left: int
    respond_by: datetime | None


def took_order(user_id: int, order_id: str) -> bool:
    """Did this user take this order?"""
    query = select(Take.id).where(Take.order_id == order_id, Take.executor_id == user_id)
    return db.session.scalar(query) is not None


def executors_of(order_id: str) -> list[tuple[User, Take]]:
    """The executors who took an order, first taker first."""
    rows = db.session.execute(
        select(User, Take)
        .join(Take, Take.executor_id == User.id)
        .where(Take.order_id == order_id)
        .order_by(Take.taken_at, Take.id)
    )
    return [(user, take) for user, take in rows]


def view_order(viewer: User | None, order: Order, now: datetime | None = None) -> OrderView:
    is_mine = viewer is not None and viewer.id == order.client_id
    taken = viewer is not None and not is_mine and took_order(viewer.id, order.id)
    respond_by = None
    if order.first_taken_at is not None and order.responded_at is None:
        respond_by = order.first_taken_at + settings().response_window
    return OrderView(
        order=order,
        contact=order.contact if is_mine or taken else None,
        is_mine=is_mine,
        taken_by_me=taken,
        minutes_left=minutes_left(order, now),
        respond_by=respond_by,
    )


def get_order(order_id: str) -> Order:
    """A live (not deleted) order, or NotFound."""
    order = db.session.get(Order, order_id)
    if order is None or order.status == OrderStatus.DELETED:
        raise NotFound(_l("No such order."))
    return order


def _lock_order(order_id: str) -> Order:
    """The order row, locked and re-read from the database (never a stale identity-map copy)."""
    order = db.session.scalars(
        select(Order)
        .where(Order.id == order_id)
        .with_for_update(of=Order)
        .execution_options(populate_existing=True)
    ).first()
    if order is None or order.status == OrderStatus.DELETED:
        raise NotFound(_l("No such order."))
    return order


def list_open_orders(
    *,
    category: str | None,
    city: str | None,
    skip: int = 0,
    limit: int = 20,
    after: str | None = None,
    now: datetime | None = None,
) -> Page[Order]:
    """The public feed: active, unexpired orders, newest first; `after` (a cursor) pages by
    keyset. Each filter combination has its index (`ix_orders_feed*`)."""
    now = now or utcnow()
    query = select(Order).where(Order.status == OrderStatus.ACTIVE, Order.expires_at > now)
    if category:
        query = query.where(Order.category == category)
    if city:
        query = query.where(Order.city == city)
    order = [Order.created_at.desc(), Order.id.desc()]
    return paginate(query, order, skip=skip, limit=limit, after=after, keyset=True)


def my_orders(actor: User, role: str, *, skip: int, limit: int) -> Page[Order]:
    """The caller's orders as client (posted) or as executor (taken); deleted ones hidden."""
    if role == "executor":
        query = (
            select(Order).join(Take, Take.order_id == Order.id).where(Take.executor_id == actor.id)
        )
    else:
        query = select(Order).where(Order.client_id == actor.id)
    query = query.where(Order.status != OrderStatus.DELETED)
    order = [Order.created_at.desc(), Order.id.desc()]
    return paginate(query, order, skip=skip, limit=limit)


# --- posting and editing -------------------------------------------------------------------


@dataclass(frozen=True)
class OrderDraft:
    category: str
    city: str
    description: str
    contact: str


@dataclass(frozen=True)
class OrderChanges:
    category: str | None = None
    city: str | None = None
    description: str | None = None
    contact: str | None = None


def _check_choices(category: str | None, city: str | None) -> None:
    config = settings()
    errors = []
    if category is not None and category not in config.categories:
        errors.append(field_error("category", _l("Choose one of the listed categories.")))
    if city is not None and city not in config.cities:
        errors.append(field_error("city", _l("Choose one of the listed cities.")))
    if errors:
        raise ValidationFailed(_l("Some fields are missing or invalid."), errors=errors)


def create_order(actor: User, draft: OrderDraft, now: datetime | None = None) -> Order:
    """Post an order (free); at most `MARKET_ORDERS_PER_HOUR` per user per hour (429).

    The limit is one guarded `INSERT … SELECT … WHERE (recent count) < :limit`, so it holds
    on SQLite too; on PostgreSQL the user's row is locked first (NO KEY UPDATE: takes, which
    only reference the row, are not blocked), so two creations cannot both count 9.
    """
    config = settings()
    now = now or utcnow()
    _check_choices(draft.category, draft.city)
    db.session.execute(select(User.id).where(User.id == actor.id).with_for_update(key_share=True))
    since = now - timedelta(hours=1)
    recent = (
        select(func.count())
        .select_from(_orders)
        .where(_orders.c.client_id == actor.id, _orders.c.created_at > since)
        .scalar_subquery()
    )
    order_id = new_order_id()
    values = {
        "id": order_id,
        "client_id": actor.id,
        "category": draft.category,
        "city": draft.city,
        "description": draft.description.strip(),
        "contact": draft.contact.strip(),
        "status": OrderStatus.ACTIVE,
        "takes_count": 0,
        "created_at": now,
        "updated_at": now,
        "expires_at": now + config.order_ttl,
    }
    row = select(*(literal(v, _orders.c[k].type) for k, v in values.items()))
    inserted = db.session.execute(
        insert(_orders)
        .from_select(list(values), row.where(recent < config.orders_per_hour))
        .returning(_orders.c.id)
    ).scalar()
    if inserted is None:
        raise RateLimited(
            _l("At most %(n)s orders per hour.", n=config.orders_per_hour),
            retry_after=_retry_after(actor, since, config.orders_per_hour, now),
        )
    order = db.session.get(Order, order_id)
    notifications.announce_new_order(order)
    return order


def _retry_after(actor: User, since: datetime, limit: int, now: datetime) -> int:
    """Seconds until the oldest order that counts against the limit leaves the hour."""
    recent = db.session.scalars(
        select(Order.created_at)
        .where(Order.client_id == actor.id, Order.created_at > since)
        .order_by(Order.created_at.desc())
        .limit(limit)
    ).all()
    oldest = recent[-1] if recent else now
    return max(1, math.ceil((oldest + timedelta(hours=1) - now).total_seconds()))


def _editable_by(actor: User, order_id: str, now: datetime) -> Order:
    order = _lock_order(order_id)
    if order.client_id != actor.id:
        raise Forbidden(_l("Only the client who posted this order may change it."))
    if order.status != OrderStatus.ACTIVE or order.expires_at <= now:
        raise Conflict(_l("This order is no longer active."))
    if order.takes_count > 0:
        raise Conflict(_l("This order has been taken and can no longer change."))
    return order


def update_order(
    actor: User, order_id: str, changes: OrderChanges, now: datetime | None = None
) -> Order:
    """The client edits an active order nobody has taken; the city never changes (409)."""
    now = now or utcnow()
    order = _editable_by(actor, order_id, now)
    if changes.city is not None and changes.city != order.city:
        raise Conflict(_l("The city of an order cannot change."))
    _check_choices(changes.category, None)
    for name in ("category", "description", "contact"):
        value = getattr(changes, name)
        if value is not None:
            setattr(order, name, value.strip() if name != "category" else value)
    order.updated_at = now
    db.session.flush()
    return order


def delete_order(actor: User, order_id: str, now: datetime | None = None) -> None:
    """The client deletes an active order nobody has taken."""
    now = now or utcnow()
    order = _editable_by(actor, order_id, now)
    order.status = OrderStatus.DELETED
    order.closed_at = now
    order.updated_at = now
    db.session.flush()


# --- taking --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TakeResult:
    take: Take
    charge: BalanceTransaction
    created: bool  # False: the first result, returned again without a charge

    @property
    def contact(self) -> str:
        return self.take.order.contact


def _result_of(take: Take, *, created: bool) -> TakeResult:
    charge = db.session.scalars(
        select(BalanceTransaction).where(
            BalanceTransaction.type == TransactionType.ORDER_TAKE,
            BalanceTransaction.reference == f"take:{take.id}",
        )
    ).one()
    return TakeResult(take=take, charge=charge, created=created)


def _claim_idempotency_key(actor: User, key: str, order_id: str, now: datetime) -> int | None:
    """Store the key; a concurrent twin waits here until the first request ends.

    Returns the stored row id when this request owns the key, None when it was used before.
    """
    statement = insert_ignoring_conflicts(
        IdempotencyKey, db.session, user_id=actor.id, key=key, order_id=order_id, created_at=now
    )
    return db.session.execute(statement.returning(statement.table.c.id)).scalar()


def take_order(
    actor: User, order_id: str, *, idempotency_key: str | None = None, now: datetime | None = None
) -> TakeResult:
    """Pay the take price and get the contact — atomically, at most `max_takes` executors.

    A repeat (same executor, or the same `Idempotency-Key`) returns the first result
    without charging. Raises 404 (no such order), 403 (your own order), 409 (not active,
    expired, full), 402 (not enough balance), 422 (the key was used for another order).
    """
    config = settings()
    now = now or utcnow()
    # Lock order: the order row, then the key (a twin with the same key waits on its unique
    # index until the first request ends), then — in `_new_take` — the account.
    order = _lock_order(order_id)
    key_id = None
    if idempotency_key is not None:
        key_id = _claim_idempotency_key(actor, idempotency_key, order_id, now)
        if key_id is None:
            stored = db.session.scalars(
                select(IdempotencyKey).where(
                    IdempotencyKey.user_id == actor.id, IdempotencyKey.key == idempotency_key
                )
            ).one()
            if stored.order_id != order_id:
                raise ValidationFailed(
                    _l("This Idempotency-Key was used for another order."),
                    errors=[field_error("Idempotency-Key", _l("Already used."))],
                )
            if stored.take_id is not None:
                return _result_of(db.session.get(Take, stored.take_id), created=False)

    existing = db.session.scalars(
        select(Take).where(Take.order_id == order.id, Take.executor_id == actor.id)
    ).first()
    if existing is not None:
        result = _result_of(existing, created=False)
    else:
        if order.client_id == actor.id:
            raise Forbidden(_l("You cannot take your own order."))
        if order.status != OrderStatus.ACTIVE or order.expires_at <= now:
            raise Conflict(_l("This order is no longer active."))
        if order.takes_count >= config.max_takes:
            raise Conflict(_l("This order already has enough executors."))
        result = _new_take(actor, order, config, now)
    if key_id is not None:
        db.session.execute(
            update(IdempotencyKey.__table__)
            .where(IdempotencyKey.__table__.c.id == key_id)
            .values(take_id=result.take.id)
        )
    return result


def _new_take(actor: User, order: Order, config: MarketSettings, now: datetime) -> TakeResult:
    # The unique (order, executor) decides a race between one executor's twin requests
    # where no row lock exists (SQLite): the loser answers the winner's result.
    statement = insert_ignoring_conflicts(
        Take,
        db.session,
        order_id=order.id,
        executor_id=actor.id,
        price=config.take_price,
        taken_at=now,
    )
    take_id = db.session.execute(statement.returning(statement.table.c.id)).scalar()
    if take_id is None:
        twin = db.session.scalars(
            select(Take).where(Take.order_id == order.id, Take.executor_id == actor.id)
        ).one()
        return _result_of(twin, created=False)
    # Guarded even under the row lock: on SQLite (no FOR UPDATE) this is the guard.
    counted = db.session.execute(
        update(_orders)
        .where(
            _orders.c.id == order.id,
            _orders.c.status == OrderStatus.ACTIVE.value,
            _orders.c.takes_count < config.max_takes,
        )
        .values(
            takes_count=_orders.c.takes_count + 1,
            first_taken_at=func.coalesce(_orders.c.first_taken_at, now),
        )
        .returning(_orders.c.takes_count)
    ).scalar()
    if counted is None:
        raise Conflict(_l("This order already has enough executors."))
    charge = money.debit(actor.id, config.take_price, TransactionType.ORDER_TAKE, f"take:{take_id}")
    db.session.refresh(order)
    return TakeResult(take=db.session.get(Take, take_id), charge=charge, created=True)


# --- the client's side after a take --------------------------------------------------------


def respond_to_order(actor: User, order_id: str, now: datetime | None = None) -> Order:
    """The client responds within the window after the first take (no refunds then)."""
    now = now or utcnow()
    order = get_order(order_id)
    if order.client_id != actor.id:
        raise Forbidden(_l("Only the client who posted this order may respond."))
    window = settings().response_window
    answered = db.session.execute(
        update(_orders)
        .where(
            _orders.c.id == order_id,
            _orders.c.status == OrderStatus.ACTIVE.value,
            _orders.c.responded_at.is_(None),
            _orders.c.first_taken_at.is_not(None),
            _orders.c.first_taken_at > now - window,
        )
        .values(responded_at=now, updated_at=now)
        .returning(_orders.c.id)
    ).scalar()
    order = _lock_order(order_id)
    if answered is None and order.responded_at is None:
        if order.first_taken_at is None:
            raise Conflict(_l("Nobody has taken this order yet."))
        raise Conflict(_l("The time to respond has passed."))
    return order


def complete_order(
    actor: User, order_id: str, executor_id: int, now: datetime | None = None
) -> Order:
    """The client marks the order done by one of the executors who took it."""
    now = now or utcnow()
    order = _lock_order(order_id)
    if order.client_id != actor.id:
        raise Forbidden(_l("Only the client who posted this order may complete it."))
    if order.status not in (OrderStatus.ACTIVE, OrderStatus.EXPIRED):
        raise Conflict(_l("This order is closed."))
    window_passed = (
        order.first_taken_at is not None
        and order.responded_at is None
        and order.first_taken_at + settings().response_window <= now
    )
    if window_passed:
        raise Conflict(_l("The time to respond has passed; the executors are refunded."))
    if not took_order(executor_id, order.id):
        raise ValidationFailed(
            _l("This executor did not take the order."),
            errors=[field_error("executor_id", _l("This executor did not take the order."))],
        )
    order.status = OrderStatus.COMPLETED
    order.completed_executor_id = executor_id
    order.responded_at = order.responded_at or now
    order.closed_at = now
    order.updated_at = now
    db.session.flush()
    return order


# --- sweeps (run by jobs/market.py) --------------------------------------------------------


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
    return result.rowcount or 0


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
    return _close_and_refund(
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
    the no-response job's own (`_close_and_refund`), so a take is refunded once even when
    that job runs at the same moment; the executors are told in chat. The reason is
    required; the caller keeps it (the dashboard's audit entry). Raises 403 (not an admin),
    404 (no such order), 409 (not active), 422 (no reason).
    """
    if actor.role != Role.ADMIN:
        raise Forbidden(_l("Only an administrator may force-close an order."))
    if not (reason or "").strip():
        raise ValidationFailed(
            _l("Some fields are missing or invalid."),
            errors=[field_error("reason", _l("Give a reason."))],
        )
    now = now or utcnow()
    order = _lock_order(order_id)  # the same lock order as a take: the order row first
    if order.status != OrderStatus.ACTIVE:
        raise Conflict(_l("This order is no longer active."))
    if not _close_and_refund([order_id], OrderStatus.DELETED, now, forced=True):
        # Under the row lock only on PostgreSQL; on SQLite the guarded UPDATE is the check.
        raise Conflict(_l("This order is no longer active."))
    return db.session.scalars(
        select(Order).where(Order.id == order_id).execution_options(populate_existing=True)
    ).one()


def _close_and_refund(
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
