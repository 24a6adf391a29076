"""Market test helpers: funding, posting orders, moving the clock, and the ledger check
that runs after every market test (a balance always equals the sum of its transactions).

One active order per contact is the rule in every test: each order a helper posts has a
contact of its own (`new_contact`), unless the test names one."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.fixtures.users import headers_for
from webapp.extensions import db
from webapp.market import money
from webapp.market.models import Account, BalanceTransaction, Order, TransactionType
from webapp.users.models import User


def ledger_problems(app: Flask) -> list[str]:
    """Every way the balances disagree with the audit trail (empty when all is right)."""
    with app.app_context():
        balances = dict(db.session.execute(select(Account.user_id, Account.balance)).all())
        sums = dict(
            db.session.execute(
                select(BalanceTransaction.user_id, func.sum(BalanceTransaction.amount)).group_by(
                    BalanceTransaction.user_id
                )
            ).all()
        )
        problems = []
        for user_id in set(balances) | set(sums):
            if balances.get(user_id, 0) != (sums.get(user_id) or 0):
                problems.append(
                    f"user {user_id}: balance {balances.get(user_id)} != {sums.get(user_id)}"
                )
            last = db.session.scalars(
                select(BalanceTransaction)
                .where(BalanceTransaction.user_id == user_id)
                .order_by(BalanceTransaction.id.desc())
                .limit(1)
            ).first()
            if last is not None and last.balance_after != balances.get(user_id, 0):
                problems.append(f"user {user_id}: last balance_after {last.balance_after}")
            if balances.get(user_id, 0) < 0:
                problems.append(f"user {user_id}: negative balance")
        return problems


@pytest.fixture(autouse=True)
def ledger_is_consistent(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every market test that used the app: balances == sums of transactions."""
    app = request.getfixturevalue("app") if "app" in request.fixturenames else None
    yield
    if app is not None:
        assert ledger_problems(app) == []


def fund_user(app: Flask, user_id: int, kopecks: int) -> None:
    with app.app_context():
        money.credit(user_id, kopecks, TransactionType.RECHARGE, f"test:{uuid.uuid4().hex}")
        db.session.commit()


@pytest.fixture
def fund(app: Flask) -> Callable[[User, int], None]:
    """`fund(user, kopecks)` credits a recharge with its transaction."""
    return lambda user, kopecks=1000: fund_user(app, user.id, kopecks)


ORDER = {
    "category": "courier",
    "city": "Moscow",
    "description": "Bring a parcel across town",
    "contact": "+7 900 000-00-00",
}

_contacts = itertools.count(1)


def new_contact() -> str:
    """A phone number no other order of this test process has (one active order per contact)."""
    return f"+7 901 {next(_contacts):07d}"


def order_fields(**fields: Any) -> dict[str, Any]:
    """ORDER with a contact of its own; `fields` override both."""
    return {**ORDER, "contact": new_contact(), **fields}


@pytest.fixture
def post_order(client) -> Callable[..., dict[str, Any]]:
    """`post_order(user, **fields)` posts an order (with a contact of its own unless `fields`
    name one) through the API and returns its JSON."""

    def post(user: User, **fields: Any) -> dict[str, Any]:
        answer = client.post("/api/orders", json=order_fields(**fields), headers=headers_for(user))
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()

    return post


def shift_order(
    app: Flask, order_id: str, *, created_ago: timedelta | None = None, **fields: Any
) -> None:
    """Move an order's times into the past (instead of sleeping)."""
    with app.app_context():
        order = db.session.get(Order, order_id)
        if created_ago is not None:
            order.created_at = order.created_at - created_ago
            order.expires_at = order.expires_at - created_ago
        for name, value in fields.items():
            setattr(order, name, value)
        db.session.commit()


def balance(app: Flask, user: User) -> int:
    with app.app_context():
        return money.balance_of(user.id)


def now_plus(**delta: float) -> datetime:
    from webapp.database import utcnow

    return utcnow() + timedelta(**delta)
