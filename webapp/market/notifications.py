"""Bot messages of the market, queued in the caller's unit of work (`webapp.outbox`).

* A new order is announced at once to executors subscribed to its category AND city with
  frequency `instant`, at most one announcement per cooldown to each (5 to 15 minutes, as
  Srochno had it: the executor's own choice, else `MARKET_INSTANT_COOLDOWN_MINUTES`);
  `hourly`/`daily` subscribers get one digest per period of the active orders posted in it
  (the dedupe key `market:digest:<freq>:<user>:<period>` makes each digest exactly once,
  however often the job runs). `off` gets nothing; a client never hears of their own order.
  An empty category or city list subscribes to nothing.
* An executor refunded for an unanswered order is told so.

Each message speaks the recipient's language.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urljoin

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from webapp.database import utcnow
from webapp.extensions import db
from webapp.i18n import choice_name, user_locale
from webapp.market.cities import city_label
from webapp.market.config import settings
from webapp.market.models import Frequency, Order, OrderStatus, Preferences
from webapp.outbox import queue_message
from webapp.users.models import User

PERIODS = {Frequency.HOURLY: timedelta(hours=1), Frequency.DAILY: timedelta(days=1)}
MAX_DIGEST_ITEMS = 10


def _order_button(order_id: str) -> dict[str, Any]:
    url = urljoin(current_app.config["WEBAPP_URL"], f"orders/{order_id}")
    return {"inline_keyboard": [[{"text": _("Open the order"), "web_app": {"url": url}}]]}


def _subscribers(
    frequency: Frequency, exclude_user: int | None = None
) -> Iterator[tuple[Preferences, User, int]]:
    """Each subscriber of `frequency` who can be messaged, with their chat id."""
    query = (
        select(Preferences, User)
        .join(User, User.id == Preferences.user_id)
        .where(
            Preferences.frequency == frequency,
            User.telegram_id.is_not(None),
            User.is_banned.is_(False),
            User.deleted_at.is_(None),
        )
        .order_by(User.id)
    )
    if exclude_user is not None:
        query = query.where(User.id != exclude_user)
    for prefs, user in db.session.execute(query).tuples():
        if user.telegram_id is not None:  # the query's filter, said to the type checker
            yield prefs, user, user.telegram_id


def _matches(prefs: Preferences, order: Order) -> bool:
    return order.category in (prefs.categories or []) and order.city_id in (prefs.city_ids or [])


def _line(order: Order) -> str:
    text = " ".join(order.description.split())
    city = city_label(order.city_id, order.city)
    where = f"{choice_name('category', order.category)} · {city}"
    return f"{where}: {text[:120]}"


def instant_cooldown(prefs: Preferences) -> timedelta:
    """The least time between two instant announcements to this user: their own choice,
    else the deployment's."""
    if prefs.instant_cooldown_minutes is not None:
        return timedelta(minutes=prefs.instant_cooldown_minutes)
    return settings().instant_cooldown


def _cooled_down(cooldowns: dict[int, timedelta], now: datetime) -> set[int]:
    """Of these instant subscribers (user id → their cooldown), the ones past their
    cooldown, marked as announced now.

    Rows are locked in user order first (PostgreSQL: two orders posted at once never
    deadlock, and the second sees the first's mark), and the mark is a guarded
    `UPDATE … WHERE last_announced_at IS NULL OR last_announced_at <= now - cooldown`, so
    each subscriber gets at most one announcement per cooldown, on SQLite too: one
    statement per cooldown in use (at most eleven: 5 to 15 minutes).
    """
    if not cooldowns:
        return set()
    table = Preferences.__table__
    db.session.execute(
        select(table.c.user_id)
        .where(table.c.user_id.in_(list(cooldowns)))
        .order_by(table.c.user_id)
        .with_for_update()
    ).all()
    marked: set[int] = set()
    for cooldown in sorted(set(cooldowns.values())):
        user_ids = [user_id for user_id, own in cooldowns.items() if own == cooldown]
        cutoff = now - cooldown
        cooled = or_(table.c.last_announced_at.is_(None), table.c.last_announced_at <= cutoff)
        marked |= set(
            db.session.execute(
                update(table)
                .where(table.c.user_id.in_(user_ids), cooled)
                .values(last_announced_at=now)
                .returning(table.c.user_id)
            ).scalars()
        )
    return marked


def announce_new_order(order: Order, now: datetime | None = None) -> int:
    """Queue an instant announcement to every matching subscriber past their cooldown
    (`instant_cooldown` since their last one); returns how many. An order posted within
    someone's cooldown is not announced to them (it is in the feed)."""
    now = now or utcnow()
    matching = [
        (prefs, user, chat_id)
        for prefs, user, chat_id in _subscribers(Frequency.INSTANT, exclude_user=order.client_id)
        if _matches(prefs, order)
    ]
    ready = _cooled_down({user.id: instant_cooldown(prefs) for prefs, user, _chat in matching}, now)
    sent = 0
    for _prefs, user, chat_id in matching:
        if user.id not in ready:
            continue
        with force_locale(user_locale(user)):
            text = _("New urgent job") + "\n" + _line(order)
            queued = queue_message(
                chat_id,
                text,
                reply_markup=_order_button(order.id),
                dedupe_key=f"market:order:{order.id}:{user.id}",
            )
        sent += int(queued)
    return sent


def period_start(frequency: Frequency, now: datetime) -> datetime:
    """The start of the last complete period before `now` (hour or UTC day)."""
    if frequency == Frequency.HOURLY:
        end = now.replace(minute=0, second=0, microsecond=0)
    else:
        end = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return end - PERIODS[frequency]


def send_digests(frequency: Frequency, now: datetime | None = None) -> int:
    """One digest per subscriber of `frequency` for the last complete period; returns how many
    were queued now (a second run queues none)."""
    now = now or utcnow()
    start = period_start(frequency, now)
    end = start + PERIODS[frequency]
    orders = db.session.scalars(
        select(Order)
        .where(
            Order.status == OrderStatus.ACTIVE,
            Order.expires_at > now,
            Order.created_at >= start,
            Order.created_at < end,
        )
        .order_by(Order.created_at)
    ).all()
    if not orders:
        return 0
    queued = 0
    for prefs, user, chat_id in _subscribers(frequency):
        matching = [o for o in orders if _matches(prefs, o) and o.client_id != user.id]
        if not matching:
            continue
        with force_locale(user_locale(user)):
            lines = [_("Urgent jobs for you: %(n)s", n=len(matching))]
            lines += [f"• {_line(o)}" for o in matching[:MAX_DIGEST_ITEMS]]
            queued += int(
                queue_message(
                    chat_id,
                    "\n".join(lines),
                    reply_markup=_order_button(matching[0].id),
                    dedupe_key=f"market:digest:{frequency.value}:{user.id}:{start:%Y%m%d%H}",
                )
            )
    return queued


def announce_refund(executor_id: int, order_id: str, amount: int, *, forced: bool = False) -> None:
    """Tell an executor their take was refunded: the client did not respond, or (`forced`)
    an administrator closed the order."""
    user = db.session.get(User, executor_id)
    if user is None or user.telegram_id is None:
        return
    from webapp.market.money import format_rubles

    with force_locale(user_locale(user)):
        if forced:
            text = _(
                "An administrator closed the order: %(amount)s is back on your balance.",
                amount=format_rubles(amount),
            )
        else:
            text = _(
                "The client did not respond in time: %(amount)s is back on your balance.",
                amount=format_rubles(amount),
            )
        queue_message(
            user.telegram_id,
            text,
            reply_markup=_order_button(order_id),
            dedupe_key=f"market:refund:{order_id}:{executor_id}",
        )
