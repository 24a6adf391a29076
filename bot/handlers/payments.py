"""Telegram Stars payments: answer `pre_checkout_query`, credit on `successful_payment`.

`register(bot)` adds the two handlers. They run inside the webhook's unit of work
(`bot/updates.py` commits the credit together with the update's `processed_updates` row),
and call the market's money rules. Crediting is once per `telegram_payment_charge_id`, so a
redelivered update is harmless.
"""

from __future__ import annotations

import logging
from typing import Any

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


def credit_payment(message: Any) -> None:
    """Credit a successful Stars payment (once per charge id)."""
    payment = message.successful_payment
    entry = money.credit_stars_payment(
        message.from_user.id,
        payment.invoice_payload,
        payment.currency,
        payment.total_amount,
        payment.telegram_payment_charge_id,
    )
    if entry is None:
        log.info(
            "stars payment %s not credited (repeat or unmatched)",
            payment.telegram_payment_charge_id,
        )


def register(bot: Any) -> None:
    bot.pre_checkout_query_handler(func=lambda query: True)(
        lambda query: answer_pre_checkout(bot, query)
    )
    bot.message_handler(content_types=["successful_payment"])(credit_payment)
