"""Balances: every change is one guarded statement plus its audit row, in the caller's
transaction.

* A debit is `UPDATE … SET balance = balance - :p WHERE user_id = :u AND balance >= :p
  RETURNING balance` — never read-then-write, so no stale identity-map value can leak in and
  the balance can never go below zero (the `CHECK` backs it up).
* A credit is an upsert (`INSERT … ON CONFLICT (user_id) DO UPDATE SET balance = balance + :a
  RETURNING balance`): the account row appears on the first credit.
* Both write a `balance_transactions` row with the signed amount and `balance_after`, so a
  balance always equals the sum of its transactions. `(type, reference)` is unique: a take is
  charged once and refunded once, a Stars charge is credited once.

Also here: the development recharge and Telegram Stars top-ups (a stored invoice per
payload, the pre-checkout rule, crediting once per `telegram_payment_charge_id` and only
what a stored invoice asked; anything else raises `UnexpectedPayment` for a refund).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import force_locale, format_currency
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from webapp.database import insert_ignoring_conflicts, utcnow
from webapp.errors import Forbidden, PaymentRequired
from webapp.extensions import db
from webapp.i18n import user_locale
from webapp.market.config import settings
from webapp.market.models import (
    Account,
    BalanceTransaction,
    IssuedStarsInvoice,
    StarsPayment,
    TransactionType,
)
from webapp.pagination import Page, paginate
from webapp.users.models import User

STARS_CURRENCY = "XTR"
MAX_STARS = 10_000
_accounts = Account.__table__


def balance_of(user_id: int) -> int:
    """The current balance in kopecks (0 without an account)."""
    return db.session.scalar(select(Account.balance).where(Account.user_id == user_id)) or 0


def transactions_of(user_id: int, *, skip: int, limit: int) -> Page[BalanceTransaction]:
    """The user's history, newest first."""
    query = select(BalanceTransaction).where(BalanceTransaction.user_id == user_id)
    return paginate(query, [BalanceTransaction.id.desc()], skip=skip, limit=limit)


def _record(
    user_id: int, kind: TransactionType, amount: int, balance_after: int, reference: str | None
) -> BalanceTransaction:
    entry = BalanceTransaction(
        user_id=user_id,
        type=kind,
        amount=amount,
        balance_after=balance_after,
        reference=reference,
        created_at=utcnow(),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def debit(user_id: int, amount: int, kind: TransactionType, reference: str) -> BalanceTransaction:
    """Take `amount` kopecks or raise `PaymentRequired` (nothing written then)."""
    statement = (
        update(_accounts)
        .where(_accounts.c.user_id == user_id, _accounts.c.balance >= amount)
        .values(balance=_accounts.c.balance - amount)
        .returning(_accounts.c.balance)
    )
    balance_after = db.session.execute(statement).scalar()
    if balance_after is None:
        raise PaymentRequired(
            _l("Not enough balance: %(price)s needed.", price=format_rubles(amount)),
            needed=amount,
        )
    return _record(user_id, kind, -amount, balance_after, reference)


def credit(
    user_id: int, amount: int, kind: TransactionType, reference: str | None
) -> BalanceTransaction:
    """Add `amount` kopecks (creating the account on the first credit)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = insert(_accounts).values(user_id=user_id, balance=amount)
    statement = values.on_conflict_do_update(
        index_elements=[_accounts.c.user_id],
        set_={"balance": _accounts.c.balance + values.excluded.balance},
    ).returning(_accounts.c.balance)
    balance_after = db.session.execute(statement).scalar_one()
    return _record(user_id, kind, amount, balance_after, reference)


def dev_recharge(actor: User, amount: int) -> BalanceTransaction:
    """Free money for development, only with `DEV_RECHARGE=1` (403 otherwise)."""
    if not settings().dev_recharge:
        raise Forbidden(_l("The development recharge is switched off."))
    return credit(actor.id, amount, TransactionType.RECHARGE, f"recharge:{uuid.uuid4().hex}")


def format_rubles(kopecks: int, *, signed: bool = False) -> str:
    """An amount in kopecks as the reader's language writes roubles: Flask-Babel's
    `format_currency` ("1 234,50 ₽" in Russian, with its grouping and sign; "RUB1,234.50" in
    English). `signed` marks a positive amount with a plus (a credit in a history)."""
    text = format_currency(Decimal(kopecks).scaleb(-2), "RUB")
    return f"+{text}" if signed and kopecks > 0 else text


# --- Telegram Stars ------------------------------------------------------------------------


@dataclass(frozen=True)
class StarsInvoice:
    """What `createInvoiceLink` is called with (currency XTR, one price, no provider)."""

    title: str
    description: str
    payload: str
    stars: int
    amount: int  # kopecks credited when paid

    def link_arguments(self) -> dict[str, Any]:
        from telebot.types import LabeledPrice

        return {
            "title": self.title,
            "description": self.description,
            "payload": self.payload,
            "provider_token": "",
            "currency": STARS_CURRENCY,
            "prices": [LabeledPrice(label=self.title, amount=self.stars)],  # type: ignore[no-untyped-call]
        }


def stars_rate() -> int:
    return settings().stars_to_kopecks


def stars_invoice(actor: User, stars: int) -> StarsInvoice:
    """The invoice for topping up `stars` Stars, stored: the payload is a random id that a
    payment is later matched against (it carries nothing a payer could change)."""
    amount = stars * stars_rate()
    payload = f"topup:{secrets.token_urlsafe(24)}"
    db.session.add(
        IssuedStarsInvoice(
            payload=payload, user_id=actor.id, stars=stars, amount=amount, created_at=utcnow()
        )
    )
    db.session.flush()
    return StarsInvoice(
        title=str(_l("Balance top-up")),
        description=str(
            _l(
                "%(amount)s on your Hub balance for %(stars)s ★",
                amount=format_rubles(amount),
                stars=stars,
            )
        ),
        payload=payload,
        stars=stars,
        amount=amount,
    )


class UnexpectedPayment(Exception):
    """A Stars payment this server cannot credit as it is: it must be refunded."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _issued_invoice(telegram_id: int, payload: str) -> IssuedStarsInvoice | None:
    """The stored invoice behind `payload`, when it was issued to this Telegram user."""
    invoice = db.session.get(IssuedStarsInvoice, payload) if len(payload) <= 128 else None
    if invoice is None:
        return None
    user = db.session.get(User, invoice.user_id)
    if user is None or user.telegram_id != telegram_id or user.deleted_at is not None:
        return None
    return invoice


def _mismatch(
    invoice: IssuedStarsInvoice | None, currency: str, total_amount: int, charge_id: str | None
) -> str | None:
    """Why a payment does not match what this server asked for (None when it does)."""
    if invoice is None:
        return "unknown invoice payload or another payer"
    if currency != STARS_CURRENCY:
        return f"currency {currency!r} instead of {STARS_CURRENCY}"
    if total_amount != invoice.stars:
        return f"{total_amount} stars paid on an invoice of {invoice.stars}"
    if invoice.paid_charge_id is not None and invoice.paid_charge_id != charge_id:
        return f"invoice already paid by charge {invoice.paid_charge_id}"
    return None


def check_stars_checkout(
    telegram_id: int, payload: str, currency: str, total_amount: int
) -> str | None:
    """The pre-checkout rule: None to accept, or the reason to refuse (shown to the payer,
    in their language)."""
    invoice = _issued_invoice(telegram_id, payload)
    payer = db.session.scalars(select(User).where(User.telegram_id == telegram_id)).first()
    with force_locale(user_locale(payer)):
        if invoice is None:
            return str(_l("This invoice is not for your account."))
        if _mismatch(invoice, currency, total_amount, None) is not None:
            return str(_l("This invoice does not match its amount."))
    return None


def credit_stars_payment(
    telegram_id: int, payload: str, currency: str, total_amount: int, charge_id: str
) -> BalanceTransaction | None:
    """Credit a successful Stars payment once per `telegram_payment_charge_id`, for the
    amount its stored invoice asked.

    Returns the new transaction, or None when this charge was credited before. Raises
    `UnexpectedPayment` for anything else — a payload this server never issued (or issued
    to someone else), another currency or amount, a second charge on one invoice: the
    caller refunds it.
    """
    if db.session.get(StarsPayment, charge_id) is not None:
        return None  # a redelivered update
    invoice = _issued_invoice(telegram_id, payload)
    reason = _mismatch(invoice, currency, total_amount, charge_id)
    if reason is not None or invoice is None:
        raise UnexpectedPayment(reason or "unknown invoice")
    # Claim the invoice for this charge (the same charge may claim it again: a concurrent
    # redelivery then stops at the payment's primary key below, and is not refunded).
    _invoices = IssuedStarsInvoice.__table__
    claimed = db.session.execute(
        update(_invoices)
        .where(
            _invoices.c.payload == invoice.payload,
            (_invoices.c.paid_charge_id.is_(None)) | (_invoices.c.paid_charge_id == charge_id),
        )
        .values(paid_charge_id=charge_id)
        .returning(_invoices.c.payload)
    ).first()
    if claimed is None:
        raise UnexpectedPayment("invoice already paid by another charge")
    statement = insert_ignoring_conflicts(
        StarsPayment,
        db.session,
        telegram_payment_charge_id=charge_id,
        user_id=invoice.user_id,
        stars=total_amount,
        amount=invoice.amount,
        payload=payload,
        created_at=utcnow(),
    )
    inserted = db.session.execute(
        statement.returning(statement.table.c.telegram_payment_charge_id)
    ).first()
    if inserted is None:
        return None
    return credit(
        invoice.user_id, invoice.amount, TransactionType.STARS_TOPUP, f"stars:{charge_id}"
    )
