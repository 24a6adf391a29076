"""The bot's messages to the people of one order, queued in the caller's unit of work
(`webapp.outbox`, delivered by the rate-limited sender), each once (its dedupe key):

* `order_closed` — each executor, when the client closes the order after takes;
* `order_taken` — the client, the moment an executor takes the order (once per take);
* `client_responded` — each executor, when the client responds.

`order_taken` and `client_responded` obey the recipient's notification settings: `off`
silences them; any other frequency sends them at once (they ask for an answer within the
response window, which a digest would miss). A user without a Telegram chat gets nothing.
Each message speaks its recipient's language.
"""

from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import select

from webapp.bot_texts import market as texts
from webapp.extensions import db
from webapp.i18n import choice_name, user_locale
from webapp.market.cities import city_label
from webapp.market.config import settings
from webapp.market.models import Frequency, Order, Preferences, Take
from webapp.market.notifications import _order_button
from webapp.outbox import queue_message
from webapp.users.models import User


def _title(order: Order) -> str:
    return f"{choice_name('category', order.category)} · {city_label(order.city_id, order.city)}"


def _silenced(user_id: int) -> bool:
    frequency = db.session.scalar(
        select(Preferences.frequency).where(Preferences.user_id == user_id)
    )
    return frequency == Frequency.OFF


def _executors(order: Order) -> list[tuple[User, int]]:
    """The executors of `order` who have a Telegram chat, with its id."""
    users = db.session.scalars(
        select(User)
        .join(Take, Take.executor_id == User.id)
        .where(Take.order_id == order.id, User.telegram_id.is_not(None))
        .order_by(Take.id)
    )
    return [(user, user.telegram_id) for user in users if user.telegram_id is not None]


def order_closed(order: Order) -> int:
    """Tell each executor of `order` that its client closed it; returns how many queued."""
    queued = 0
    for user, chat_id in _executors(order):
        with force_locale(user_locale(user)):
            queued += queue_message(
                chat_id,
                texts.order_closed(_title(order)),
                reply_markup=_order_button(order.id),
                dedupe_key=f"market:closed:{order.id}:{user.id}",
            )
    return queued


def order_taken(order: Order, take_id: int, executor_name: str, rating: float | None) -> bool:
    """Tell the client that an executor took their order (once per take)."""
    client = db.session.get(User, order.client_id)
    if client is None or client.telegram_id is None or _silenced(client.id):
        return False
    with force_locale(user_locale(client)):
        text = texts.order_taken(_title(order), executor_name, rating, settings().response_minutes)
        return queue_message(
            client.telegram_id,
            text,
            reply_markup=_order_button(order.id),
            dedupe_key=f"market:taken:{take_id}",
        )


def client_responded(order: Order) -> int:
    """Tell each executor of `order` that its client responded; returns how many queued."""
    queued = 0
    for user, chat_id in _executors(order):
        if _silenced(user.id):
            continue
        with force_locale(user_locale(user)):
            queued += queue_message(
                chat_id,
                texts.client_responded(_title(order)),
                reply_markup=_order_button(order.id),
                dedupe_key=f"market:responded:{order.id}:{user.id}",
            )
    return queued
