"""Telegram Stars payments: answer `pre_checkout_query`, credit on `successful_payment`.

`register(bot)` adds the two handlers. They run inside the webhook's unit of work
(`bot/updates.py` commits the credit together with the update's `processed_updates` row),
and call the market's money rules. Crediting is once per `telegram_payment_charge_id`, so a
redelivered update is harmless; a payment no stored invoice asked for is refunded.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.handlers.safely import without_token
from webapp.market import money

log = logging.getLogger(__name__)


def answer_pre_checkout(bot: Any, query: Any) -> None:
    """Accept the payer's own, unchanged invoice; refuse anything else with a reason."""
    error = money.check_stars_checkout(
        query.from_user.id, query.invoice_payload, query.currency, query.total_amount
    )
    if error is None:
        bot.answer_pre_checkout_query(query.id, ok=True)
    else:
        log.warning("pre-checkout refused for %s: %s", query.from_user.id, error)
        bot.answer_pre_checkout_query(query.id, ok=False, error_message=error)


def credit_payment(bot: Any, message: Any) -> None:
    """Credit a successful Stars payment (once per charge id); refund anything this server
    did not ask for (unknown payload, another payer, amount or currency, a second charge)."""
    payment = message.successful_payment
    charge_id = payment.telegram_payment_charge_id
    try:
        entry = money.credit_stars_payment(
            message.from_user.id,
            payment.invoice_payload,
            payment.currency,
            payment.total_amount,
            charge_id,
        )
    except money.UnexpectedPayment as exc:
        log.warning(
            "stars payment %s from %s refunded: %s", charge_id, message.from_user.id, exc.reason
        )
        refund(bot, message.from_user.id, charge_id)
        return
    if entry is None:
        log.info("stars payment %s already credited", charge_id)


def refund(bot: Any, telegram_id: int, charge_id: str) -> None:
    """Give the Stars back; a failure is logged for a person to finish (never a webhook error:
    Telegram would redeliver the update forever)."""
    try:
        bot.refund_star_payment(telegram_id, charge_id)
    except Exception as exc:
        log.error("refundStarPayment failed for charge %s: %s", charge_id, without_token(bot, exc))


def register(bot: Any) -> None:
    bot.pre_checkout_query_handler(func=lambda query: True)(
        lambda query: answer_pre_checkout(bot, query)
    )
    bot.message_handler(content_types=["successful_payment"])(
        lambda message: credit_payment(bot, message)
    )
