"""Taking an order: an executor pays the take price and gets the contact — atomically, at
most `MARKET_MAX_TAKES` executors, once per executor (and per `Idempotency-Key`); the
client is told at once, in the same transaction (`order_messages.order_taken`).

Lock order: the order row (`orders.lock_order`), then the idempotency key, then the account
(inside `money.debit`'s single guarded statement).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Row, func, select, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from webapp.database import insert_ignoring_conflicts, utcnow
from webapp.errors import Conflict, Forbidden, ValidationFailed, field_error
from webapp.extensions import db
from webapp.market import money, order_messages
from webapp.market.config import MarketSettings, settings
from webapp.market.models import (
    BalanceTransaction,
    IdempotencyKey,
    Order,
    OrderStatus,
    Take,
    TransactionType,
)
from webapp.market.services.executors import executor_summary
from webapp.market.services.orders import lock_order, take_refusal
from webapp.users.models import User

_orders = Order.__table__


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
    order = lock_order(order_id)
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
                return _result_of(db.session.get_one(Take, stored.take_id), created=False)

    if order.client_id == actor.id:
        raise Forbidden(_l("You cannot take your own order."))
    refusal = take_refusal(order, config, now)
    if refusal is None:
        # A repeat on an open order is found by the insert's conflict (`_new_take`).
        result = _new_take(actor, order, config, now)
    else:
        # A repeat returns the first result even once the order is full or closed.
        existing = _take_of(order.id, actor.id)
        if existing is None:
            raise Conflict(refusal)
        result = _result_of(existing, created=False)
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
    inserted = db.session.execute(statement.returning(*statement.table.c)).first()
    if inserted is None:
        twin = _take_of(order.id, actor.id)
        assert twin is not None  # the conflicting row
        return _result_of(twin, created=False)
    take_id = inserted.id
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
        .returning(_orders.c.takes_count, _orders.c.first_taken_at)
    ).first()
    if counted is None:
        raise Conflict(_l("This order already has enough executors."))
    charge = money.debit(actor.id, config.take_price, TransactionType.ORDER_TAKE, f"take:{take_id}")
    # The order as the update left it, from its RETURNING (not read again).
    set_committed_value(order, "takes_count", counted.takes_count)
    set_committed_value(order, "first_taken_at", counted.first_taken_at)
    # The client hears of it in this transaction (once per take: the key names the take),
    # so a take that fails later, or a refused twin, tells nobody.
    executor = executor_summary(actor.id)
    rating = executor.rating if executor is not None else None
    order_messages.order_taken(order, take_id, actor.display_name, rating)
    return TakeResult(take=_persistent(inserted, order), charge=charge, created=True)


def _take_of(order_id: str, executor_id: int) -> Take | None:
    query = select(Take).where(Take.order_id == order_id, Take.executor_id == executor_id)
    return db.session.scalars(query).first()


def _persistent(inserted: Row[Any], order: Order) -> Take:
    """The row just inserted (its RETURNING) as the session's `Take`, with its order,
    without reading it back."""
    take = Take(**inserted._mapping)
    make_transient_to_detached(take)
    db.session.add(take)
    set_committed_value(take, "order", order)
    return take
