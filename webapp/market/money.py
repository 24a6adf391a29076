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

Also here: the development recharge and Telegram Stars top-ups (invoice payload, the
pre-checkout rule, crediting once per `telegram_payment_charge_id`).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from webapp.database import insert_ignoring_conflicts, utcnow
from webapp.errors import Forbidden, PaymentRequired
from webapp.extensions import db
from webapp.i18n import user_locale
from webapp.market.models import Account, BalanceTransaction, StarsPayment, TransactionType
from webapp.users.models import User

STARS_CURRENCY = "XTR"
MAX_STARS = 10_000
_accounts = Account.__table__


def balance_of(user_id: int) -> int:
    """The current balance in kopecks (0 without an account)."""
    return db.session.scalar(select(Account.balance).where(Account.user_id == user_id)) or 0


def transactions_of(user_id: int, *, skip: int, limit: int) -> tuple[list[BalanceTransaction], int]:
    """The user's history, newest first."""
    base = select(BalanceTransaction).where(BalanceTransaction.user_id == user_id)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = db.session.scalars(
        base.order_by(BalanceTransaction.id.desc()).offset(skip).limit(limit)
    ).all()
    return list(rows), total


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
            _l("Not enough balance: %(price)s ₽ needed.", price=format_rubles(amount)),
            needed=amount,
        )
    return _record(user_id, kind, -amount, balance_after, reference)


def credit(
    user_id: int, amount: int, kind: TransactionType, reference: str | None
) -> BalanceTransaction:
    """Add `amount` kopecks (creating the account on the first credit)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(_accounts).values(user_id=user_id, balance=amount)
    statement = statement.on_conflict_do_update(
        index_elements=[_accounts.c.user_id],
        set_={"balance": _accounts.c.balance + statement.excluded.balance},
    ).returning(_accounts.c.balance)
    balance_after = db.session.execute(statement).scalar_one()
    return _record(user_id, kind, amount, balance_after, reference)


def dev_recharge(actor: User, amount: int) -> BalanceTransaction:
    """Free money for development, only with `DEV_RECHARGE=1` (403 otherwise)."""
    if not current_app.config.get("DEV_RECHARGE"):
        raise Forbidden(_l("The development recharge is switched off."))
    return credit(actor.id, amount, TransactionType.RECHARGE, f"recharge:{uuid.uuid4().hex}")


def format_rubles(kopecks: int) -> str:
    rubles, rest = divmod(abs(kopecks), 100)
    sign = "-" if kopecks < 0 else ""
    return f"{sign}{rubles}" if rest == 0 else f"{sign}{rubles}.{rest:02d}"


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
            "prices": [LabeledPrice(label=self.title, amount=self.stars)],
        }


def stars_rate() -> int:
    return int(current_app.config["STARS_TO_KOPECKS"])


def stars_invoice(actor: User, stars: int) -> StarsInvoice:
    """The invoice for topping up `stars` Stars; the payload names the user and the amount."""
    amount = stars * stars_rate()
    payload = f"topup:{actor.id}:{stars}:{secrets.token_hex(8)}"
    return StarsInvoice(
        title=str(_l("Balance top-up")),
        description=str(
            _l(
                "%(amount)s ₽ on your Hub balance for %(stars)s ★",
                amount=format_rubles(amount),
                stars=stars,
            )
        ),
        payload=payload,
        stars=stars,
        amount=amount,
    )


def _parse_payload(payload: str) -> tuple[int, int] | None:
    parts = payload.split(":")
    if len(parts) != 4 or parts[0] != "topup" or not parts[1].isdigit() or not parts[2].isdigit():
        return None
    return int(parts[1]), int(parts[2])


def _payer(telegram_id: int, payload: str) -> tuple[User, int] | None:
    parsed = _parse_payload(payload)
    if parsed is None:
        return None
    user_id, stars = parsed
    user = db.session.get(User, user_id)
    if user is None or user.telegram_id != telegram_id or user.deleted_at is not None:
        return None
    return user, stars


def check_stars_checkout(
    telegram_id: int, payload: str, currency: str, total_amount: int
) -> str | None:
    """The pre-checkout rule: None to accept, or the reason to refuse (shown to the payer,
    in their language)."""
    found = _payer(telegram_id, payload)
    payer = db.session.scalars(select(User).where(User.telegram_id == telegram_id)).first()
    with force_locale(user_locale(payer)):
        if found is None:
            return str(_l("This invoice is not for your account."))
        _, stars = found
        if currency != STARS_CURRENCY or total_amount != stars or not 1 <= stars <= MAX_STARS:
            return str(_l("This invoice does not match its amount."))
    return None


def credit_stars_payment(
    telegram_id: int, payload: str, currency: str, total_amount: int, charge_id: str
) -> BalanceTransaction | None:
    """Credit a successful Stars payment once per `telegram_payment_charge_id`.

    Returns the new transaction, or None when this charge was credited before (or cannot
    be matched to an account — the caller logs it; it can be refunded by charge id).
    """
    if currency != STARS_CURRENCY or total_amount <= 0:
        return None
    found = _payer(telegram_id, payload)
    if found is None:
        return None
    user, _ = found
    amount = total_amount * stars_rate()  # what was actually paid, not what was asked
    statement = insert_ignoring_conflicts(
        StarsPayment,
        db.session,
        telegram_payment_charge_id=charge_id,
        user_id=user.id,
        stars=total_amount,
        amount=amount,
        payload=payload,
        created_at=utcnow(),
    )
    inserted = db.session.execute(
        statement.returning(statement.table.c.telegram_payment_charge_id)
    ).first()
    if inserted is None:
        return None
    return credit(user.id, amount, TransactionType.STARS_TOPUP, f"stars:{charge_id}")
