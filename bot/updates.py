"""One update, handled once: the `processed_updates` row and the handlers share a transaction.

The row is inserted first (`ON CONFLICT DO NOTHING`): a second delivery of the same
`update_id` — a Telegram retry, or the same update at another process at the same moment —
finds it (PostgreSQL makes the second insert wait for the first transaction) and does
nothing. If a handler fails, the transaction rolls back, the row with it, and Telegram's
redelivery is handled afresh.
"""

from __future__ import annotations

from typing import Any

from telebot import TeleBot
from telebot.types import Update

from bot.models import ProcessedUpdate
from webapp.database import insert_ignoring_conflicts, utcnow
from webapp.errors import ValidationFailed
from webapp.extensions import db


def parse_update(payload: Any) -> Update:
    """A Telegram `Update` from JSON, or `ValidationFailed` (422) for anything else."""
    from webapp.bot_texts import BAD_UPDATE

    update_id = payload.get("update_id") if isinstance(payload, dict) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool) or not 0 <= update_id < 2**63:
        raise ValidationFailed(BAD_UPDATE)
    if not _ids_are_integers(payload) or not _amounts_are_sane(payload) or _has_nul(payload):
        raise ValidationFailed(BAD_UPDATE)
    try:
        return Update.de_json(payload)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValidationFailed(BAD_UPDATE) from exc


MESSAGE_KEYS = ("message", "edited_message", "channel_post", "edited_channel_post")
QUERY_KEYS = ("callback_query", "pre_checkout_query", "shipping_query", "inline_query")


def _ids_are_integers(payload: dict[str, Any]) -> bool:
    """Chat and user ids (what handlers store and answer to) are integers, as Telegram's are."""
    objects = [payload.get(key) for key in MESSAGE_KEYS]
    for key in QUERY_KEYS:
        query = payload.get(key)
        if isinstance(query, dict):
            objects.append({"from": query.get("from"), "chat": None})
            objects.append(query.get("message"))
    for obj in objects:
        if not isinstance(obj, dict):
            continue
        for part in ("chat", "from"):
            inner = obj.get(part)
            if inner is None:
                continue
            ident = inner.get("id") if isinstance(inner, dict) else None
            if not isinstance(ident, int) or isinstance(ident, bool) or abs(ident) >= 2**63:
                return False
    return True


# Bot API amounts are integers in the currency's smallest unit; none Telegram sends comes near
# this, and a larger one (10^17) would overflow the balance arithmetic into a 500 — which
# Telegram would redeliver forever.
MAX_PAYMENT_AMOUNT = 2**31 - 1


def _amounts_are_sane(payload: dict[str, Any]) -> bool:
    """`total_amount` of a payment or a pre-checkout query is a positive bounded integer."""
    message = payload.get("message")
    payments = [
        message.get("successful_payment") if isinstance(message, dict) else None,
        payload.get("pre_checkout_query"),
    ]
    for payment in payments:
        if payment is None:
            continue
        amount = payment.get("total_amount") if isinstance(payment, dict) else None
        if not isinstance(amount, int) or isinstance(amount, bool):
            return False
        if not 1 <= amount <= MAX_PAYMENT_AMOUNT:
            return False
    return True


def _has_nul(value: Any) -> bool:
    """A NUL character anywhere (a name, a text): PostgreSQL refuses it in a text column."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def handle_update(bot: TeleBot, payload: Any) -> bool:
    """Run the handlers for one update and commit; False when it was handled before."""
    update = parse_update(payload)
    statement = insert_ignoring_conflicts(
        ProcessedUpdate, db.session, update_id=update.update_id, processed_at=utcnow()
    )
    first = db.session.execute(statement.returning(statement.table.c.update_id)).first()
    if first is None:
        db.session.rollback()
        return False
    try:
        bot.process_new_updates([update])
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return True
