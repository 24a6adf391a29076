"""Orders, the client's side: reading them (each viewer sees what they may), posting (free,
at most `MARKET_ORDERS_PER_HOUR` an hour), editing and deleting one nobody has taken,
responding after the first take, and completing it.
"""

from __future__ import annotations

import math
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import ColumnElement, func, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError

from webapp.cities import City
from webapp.database import utcnow
from webapp.errors import Conflict, Forbidden, NotFound, RateLimited, ValidationFailed, field_error
from webapp.extensions import db
from webapp.market import notifications, order_messages
from webapp.market.cities import city_key, resolve_city
from webapp.market.config import MarketSettings, settings
from webapp.market.models import Order, OrderStatus, Take
from webapp.pagination import Page, paginate
from webapp.users.models import User

# Letters and digits only: URL-safe, and fits the `order_<id>` start parameter.
ORDER_ID_ALPHABET = string.ascii_letters + string.digits
ORDER_ID_LENGTH = 12
_orders = Order.__table__


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
    # What this viewer may do now, decided by the same rules the actions enforce.
    can_take: bool = False
    take_refusal: str | None = None  # why a signed-in non-client may not take it
    can_delete: bool = False
    can_respond: bool = False
    can_complete: bool = False
    can_review: bool = False
    can_complain: bool = False
    can_close: bool = False


def took_order(user_id: int, order_id: str) -> bool:
    """Did this user take this order?"""
    query = select(Take.id).where(Take.order_id == order_id, Take.executor_id == user_id)
    return db.session.scalar(query) is not None


def view_order(
    viewer: User | None,
    order: Order,
    now: datetime | None = None,
    *,
    config: MarketSettings | None = None,
    taken_ids: set[str] | None = None,
) -> OrderView:
    """`order` as `viewer` sees it. A list passes its one clock, settings and the ids of the
    orders the viewer took (`view_orders`); alone, the order reads them itself."""
    now = now or utcnow()
    config = config or settings()
    is_mine = viewer is not None and viewer.id == order.client_id
    if viewer is None or is_mine:
        taken = False
    elif taken_ids is not None:
        taken = order.id in taken_ids
    else:
        taken = took_order(viewer.id, order.id)
    respond_by = None
    if order.first_taken_at is not None and order.responded_at is None:
        respond_by = order.first_taken_at + config.response_window
    refusal = take_refusal(order, config, now)
    stranger = viewer is not None and not is_mine and not taken
    return OrderView(
        order=order,
        contact=order.contact if is_mine or taken else None,
        is_mine=is_mine,
        taken_by_me=taken,
        minutes_left=minutes_left(order, now),
        respond_by=respond_by,
        can_take=stranger and refusal is None,
        take_refusal=str(refusal) if stranger and refusal is not None else None,
        can_delete=is_mine and _change_refusal(order, now) is None,
        can_respond=is_mine
        and order.status == OrderStatus.ACTIVE
        and respond_by is not None
        and respond_by > now,
        can_complete=is_mine and _complete_refusal(order, config, now) is None,
        can_review=is_mine,
        can_complain=taken,
        can_close=is_mine and close_refusal(order) is None,
    )


def view_orders(viewer: User | None, orders: list[Order]) -> list[OrderView]:
    """A list's orders as `viewer` sees them: one clock, the settings read once and one query
    for which of them the viewer took (not one per order)."""
    now, config = utcnow(), settings()
    taken_ids: set[str] = set()
    if viewer is not None and orders:
        ids = [order.id for order in orders if order.client_id != viewer.id]
        if ids:
            query = select(Take.order_id).where(
                Take.executor_id == viewer.id, Take.order_id.in_(ids)
            )
            taken_ids = set(db.session.scalars(query))
    return [view_order(viewer, order, now, config=config, taken_ids=taken_ids) for order in orders]


def take_refusal(order: Order, config: MarketSettings, now: datetime) -> Any:
    """Why nobody new may take this order now (None: it can be taken); `takes` enforces it."""
    if order.status != OrderStatus.ACTIVE or order.expires_at <= now:
        return _l("This order is no longer active.")
    if order.takes_count >= config.max_takes:
        return _l("This order already has enough executors.")
    return None


def close_refusal(order: Order) -> Any:
    """Why its client may not close this order now (None: they may; `closing` enforces it)."""
    if order.status != OrderStatus.ACTIVE:
        return _l("This order is no longer active.")
    return None


def _change_refusal(order: Order, now: datetime) -> Any:
    """Why its client may not edit or delete this order now (None: they may)."""
    if order.status != OrderStatus.ACTIVE or order.expires_at <= now:
        return _l("This order is no longer active.")
    if order.takes_count > 0:
        return _l("This order has been taken and can no longer change.")
    return None


def _complete_refusal(order: Order, config: MarketSettings, now: datetime) -> Any:
    """Why its client may not mark this order done now (None: they may)."""
    if order.status not in (OrderStatus.ACTIVE, OrderStatus.EXPIRED):
        return _l("This order is closed.")
    window_passed = (
        order.first_taken_at is not None
        and order.responded_at is None
        and order.first_taken_at + config.response_window <= now
    )
    if window_passed:
        return _l("The time to respond has passed; the executors are refunded.")
    return None


def get_order(order_id: str) -> Order:
    """A live (not deleted) order, or NotFound."""
    order = db.session.get(Order, order_id)
    if order is None or order.status == OrderStatus.DELETED:
        raise NotFound(_l("No such order."))
    return order


def lock_order(order_id: str) -> Order:
    """The order row, locked and re-read from the database (never a stale identity-map copy).

    Every change to an order takes this lock first (then, if any, the account's): takes,
    edits, completion, the sweeps and a force-close, so they cannot deadlock each other.
    """
    order = db.session.scalars(
        select(Order)
        .where(Order.id == order_id)
        .with_for_update(of=Order)
        .execution_options(populate_existing=True)
    ).first()
    if order is None or order.status == OrderStatus.DELETED:
        raise NotFound(_l("No such order."))
    return order


def fold(text: str) -> str:
    """Text as `search=` compares it: casefolded in every alphabet («Ёлки» as «елки»),
    spaces collapsed. Orders keep their description folded (`Order.search_text`)."""
    return " ".join(text.casefold().replace("\u0451", "\u0435").split())  # «ё» as its plain letter


FEED_SORTS = ("newest", "ending")


def contact_key(contact: str) -> str:
    """A contact as the one-active-order rule compares it: «+7 (900) 000-00-00» and
    «+79000000000», «@Name» and «@name» are one contact."""
    return "".join(c for c in contact.casefold() if c.isalnum() or c in "@+_")


_SAME_CONTACT = _l(
    "An active order with this contact already exists: close it or wait until it ends."
)


def _contact_taken(exc: IntegrityError) -> bool:
    return "ix_orders_one_active_per_contact" in str(exc.orig) or "contact_key" in str(exc.orig)


def list_open_orders(
    *,
    category: str | None,
    city_id: int | None,
    search: str | None = None,
    sort: str = "newest",
    skip: int = 0,
    limit: int = 20,
    after: str | None = None,
    now: datetime | None = None,
) -> Page[Order]:
    """The public feed: active, unexpired orders, newest first (`sort="ending"`: the soonest
    to expire first); `search` keeps those whose description holds it, in any case and
    alphabet; `after` (a cursor) pages by keyset. Each filter combination has its index
    (`ix_orders_feed*`; the search `ix_orders_search_trgm` on PostgreSQL)."""
    now = now or utcnow()
    query = select(Order).where(Order.status == OrderStatus.ACTIVE, Order.expires_at > now)
    if category:
        query = query.where(Order.category == category)
    if city_id is not None:
        query = query.where(Order.city_id == city_id)
    wanted = fold(search or "")
    if wanted:
        query = query.where(Order.search_text.contains(wanted, autoescape=True))
    order: list[ColumnElement[Any]] = [Order.created_at.desc(), Order.id.desc()]
    if sort == "ending":
        order = [Order.expires_at.asc(), Order.id.asc()]
    # A search rechecks each order it finds (trigrams narrow, the text decides): its first
    # page counts them in the same statement rather than finding them twice.
    return paginate(
        query, order, skip=skip, limit=limit, after=after, keyset=True, count_with_page=bool(wanted)
    )


def my_orders(actor: User, role: str, *, skip: int, limit: int) -> Page[Order]:
    """The caller's orders as client (posted) or as executor (taken); deleted ones hidden."""
    if role == "executor":
        query = (
            select(Order).join(Take, Take.order_id == Order.id).where(Take.executor_id == actor.id)
        )
    else:
        query = select(Order).where(Order.client_id == actor.id)
    query = query.where(Order.status != OrderStatus.DELETED)
    order: list[ColumnElement[Any]] = [Order.created_at.desc(), Order.id.desc()]
    return paginate(query, order, skip=skip, limit=limit)


# --- posting and editing -------------------------------------------------------------------


@dataclass(frozen=True)
class OrderDraft:
    category: str
    city: int | str  # a directory id or a name the directory knows
    description: str
    contact: str


@dataclass(frozen=True)
class OrderChanges:
    category: str | None = None
    city: int | str | None = None
    description: str | None = None
    contact: str | None = None


def _check_choices(category: str | None, city: int | str | None) -> City | None:
    """Refuse a category that is not one of the active ones the admin keeps
    (`webapp.core.choices`) or a city the directory does not know (422); the directory's
    city."""
    config = settings()
    errors = []
    if category is not None and category not in config.categories:
        errors.append(field_error("category", _l("Choose one of the listed categories.")))
    found = None if city is None else resolve_city(city)
    if city is not None and found is None:
        errors.append(field_error("city", _l("Choose a city from the list.")))
    if errors:
        raise ValidationFailed(_l("Some fields are missing or invalid."), errors=errors)
    return found


def city_filter(value: int | str | None) -> int | None:
    """The directory id a feed filter names (an id or a name), None for no filter; a city
    the directory does not know is a 422 naming `city`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    city = resolve_city(value)
    if city is None:
        raise ValidationFailed(
            _l("Some fields are missing or invalid."),
            errors=[field_error("city", _l("Choose a city from the list."))],
        )
    return city.id


def create_order(actor: User, draft: OrderDraft, now: datetime | None = None) -> Order:
    """Post an order (free); at most `MARKET_ORDERS_PER_HOUR` per user per hour (429).

    The limit is one guarded `INSERT … SELECT … WHERE (recent count) < :limit`, so it holds
    on SQLite too; on PostgreSQL the user's row is locked first (NO KEY UPDATE: takes, which
    only reference the row, are not blocked), so two creations cannot both count 9.
    """
    config = settings()
    now = now or utcnow()
    city = _check_choices(draft.category, draft.city)
    assert city is not None  # a draft always names its city
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
        "city": city_key(city),
        "city_id": city.id,
        "description": draft.description.strip(),
        "search_text": fold(draft.description),
        "contact": draft.contact.strip(),
        "status": OrderStatus.ACTIVE,
        "takes_count": 0,
        "created_at": now,
        "updated_at": now,
        "expires_at": now + config.order_ttl,
    }
    if config.one_order_per_contact:
        key = contact_key(draft.contact)
        values["contact_key"] = key
        _expire_ended(key, now)
    row = select(*(literal(v, _orders.c[k].type) for k, v in values.items()))
    try:
        with db.session.begin_nested():  # a second active order per contact: a 409, not a 500
            inserted = db.session.execute(
                insert(_orders)
                .from_select(list(values), row.where(recent < config.orders_per_hour))
                .returning(_orders.c.id)
            ).scalar()
    except IntegrityError as exc:
        if not _contact_taken(exc):
            raise
        raise Conflict(_SAME_CONTACT) from exc
    if inserted is None:
        raise RateLimited(
            lazy_ngettext(
                "At most %(num)d order per hour.",
                "At most %(num)d orders per hour.",
                config.orders_per_hour,
            ),
            retry_after=_retry_after(actor, since, config.orders_per_hour, now),
        )
    order = db.session.get_one(Order, order_id)
    notifications.announce_new_order(order, now)
    return order


def _expire_ended(key: str, now: datetime) -> None:
    """Expire this contact's orders whose time is up but which the expiry sweep has not yet
    reached (the sweep's own rule: nobody took them, or the client responded), so they do not
    hold the contact; a taken order left without a response waits for its refunding sweep."""
    db.session.execute(
        update(_orders)
        .where(
            _orders.c.contact_key == key,
            _orders.c.status == OrderStatus.ACTIVE.value,
            _orders.c.expires_at <= now,
            or_(_orders.c.takes_count == 0, _orders.c.responded_at.is_not(None)),
        )
        .values(status=OrderStatus.EXPIRED.value, closed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )


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
    order = lock_order(order_id)
    if order.client_id != actor.id:
        raise Forbidden(_l("Only the client who posted this order may change it."))
    refusal = _change_refusal(order, now)
    if refusal is not None:
        raise Conflict(refusal)
    return order


def update_order(
    actor: User, order_id: str, changes: OrderChanges, now: datetime | None = None
) -> Order:
    """The client edits an active order nobody has taken; the city never changes (409)."""
    now = now or utcnow()
    order = _editable_by(actor, order_id, now)
    if changes.city is not None:
        named = resolve_city(changes.city)
        same = named.id == order.city_id if named is not None else changes.city == order.city
        if not same:
            raise Conflict(_l("The city of an order cannot change."))
    # A category the admin has since deactivated may stay on the order it is on.
    _check_choices(None if changes.category == order.category else changes.category, None)
    try:
        # The savepoint before any change (begin_nested flushes what is pending first), so a
        # contact another active order has is a 409 and the session stays usable.
        with db.session.begin_nested():
            for name in ("category", "description", "contact"):
                value = getattr(changes, name)
                if value is not None:
                    setattr(order, name, value.strip() if name != "category" else value)
            order.search_text = fold(order.description)
            if changes.contact is not None and settings().one_order_per_contact:
                order.contact_key = contact_key(order.contact)
            order.updated_at = now
            db.session.flush()
    except IntegrityError as exc:
        if not _contact_taken(exc):
            raise
        raise Conflict(_SAME_CONTACT) from exc
    return order


def delete_order(actor: User, order_id: str, now: datetime | None = None) -> None:
    """The client deletes an active order nobody has taken."""
    now = now or utcnow()
    order = _editable_by(actor, order_id, now)
    order.status = OrderStatus.DELETED
    order.closed_at = now
    order.updated_at = now
    db.session.flush()


# --- the client's side after a take --------------------------------------------------------


def respond_to_order(actor: User, order_id: str, now: datetime | None = None) -> Order:
    """The client responds within the window after the first take (no refunds then); the
    first response tells each executor (`order_messages.client_responded`)."""
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
    order = lock_order(order_id)
    if answered is None and order.responded_at is None:
        if order.first_taken_at is None:
            raise Conflict(_l("Nobody has taken this order yet."))
        raise Conflict(_l("The time to respond has passed."))
    if answered is not None:  # the first response: each executor is told, once
        order_messages.client_responded(order)
    return order


def complete_order(
    actor: User, order_id: str, executor_id: int, now: datetime | None = None
) -> Order:
    """The client marks the order done by one of the executors who took it."""
    now = now or utcnow()
    order = lock_order(order_id)
    if order.client_id != actor.id:
        raise Forbidden(_l("Only the client who posted this order may complete it."))
    refusal = _complete_refusal(order, settings(), now)
    if refusal is not None:
        raise Conflict(refusal)
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
