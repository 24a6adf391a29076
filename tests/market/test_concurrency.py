"""Money under real concurrency: many threads, each with its own app context and database
connection, hit the same rows at the same moment — on PostgreSQL (row locks, guarded
statements) and on an SQLite file (one writer at a time; the guards must hold there too)."""

from __future__ import annotations

import itertools
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.fixtures.app import app_with_tables
from tests.fixtures.services import concurrent_engine_options
from tests.fixtures.users import headers_for
from tests.market.conftest import ledger_problems, order_fields
from webapp.database import utcnow
from webapp.errors import Conflict
from webapp.extensions import db
from webapp.market import money, services
from webapp.market.models import BalanceTransaction, Order, OrderStatus, Take, TransactionType
from webapp.users.models import Role, User

PRICE = 200
_telegram_ids = itertools.count(7_000_000)


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgres), "sqlite"])
def pg_app(request: pytest.FixtureRequest, tmp_path) -> Iterator[Flask]:
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
        engine = concurrent_engine_options()
    else:
        url = f"sqlite:///{tmp_path / 'concurrent.db'}"
        engine = {"pool_size": 30, "max_overflow": 0, "connect_args": {"timeout": 30}}
    with app_with_tables(url, {"SQLALCHEMY_ENGINE_OPTIONS": engine}) as app:
        yield app


def make_users(app: Flask, count: int, funds: int = 0) -> list[User]:
    with app.app_context():
        users = [User(telegram_id=next(_telegram_ids), first_name=f"U{i}") for i in range(count)]
        db.session.add_all(users)
        db.session.flush()
        for user in users:
            if funds:
                money.credit(user.id, funds, TransactionType.RECHARGE, f"seed:{uuid.uuid4().hex}")
        db.session.commit()
        for user in users:
            db.session.refresh(user)
            db.session.expunge(user)
        return users


def make_order(app: Flask, client_user: User) -> str:
    with app.app_context():
        user = db.session.get(User, client_user.id)
        order = services.create_order(user, services.OrderDraft(**order_fields()))
        db.session.commit()
        return order.id


def all_at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run `work(i)` in `count` threads released together by a barrier."""
    barrier = threading.Barrier(count)

    def run(i: int) -> Any:
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def take_over_http(app: Flask, user: User, order_id: str, key: str | None = None) -> int:
    headers = headers_for(user)
    if key:
        headers["Idempotency-Key"] = key
    return app.test_client().post(f"/api/orders/{order_id}/take", headers=headers).status_code


def balances(app: Flask, users: list[User]) -> list[int]:
    with app.app_context():
        return [money.balance_of(u.id) for u in users]


def count(app: Flask, query) -> int:
    with app.app_context():
        return db.session.scalar(query) or 0


def test_200_executors_one_order(pg_app):
    """Do 200 funded executors taking one order at once end with exactly 3 takes, and every
    balance right to the kopeck?"""
    (owner,) = make_users(pg_app, 1)
    executors = make_users(pg_app, 200, funds=1000)
    order_id = make_order(pg_app, owner)

    codes = all_at_once(200, lambda i: take_over_http(pg_app, executors[i], order_id))

    assert Counter(codes) == {201: 3, 409: 197}
    after = balances(pg_app, executors)
    winners = [b for b in after if b == 1000 - PRICE]
    assert len(winners) == 3 and sum(after) == 200 * 1000 - 3 * PRICE
    assert count(pg_app, select(func.count(Take.id))) == 3
    with pg_app.app_context():
        assert db.session.get(Order, order_id).takes_count == 3
    assert ledger_problems(pg_app) == []


@pytest.mark.parametrize("with_key", [False, True], ids=["repeat", "idempotency-key"])
def test_50_simultaneous_repeats_charge_once(pg_app, with_key):
    """Do 50 simultaneous repeats of one executor's take (with or without the same
    Idempotency-Key) charge exactly once and all answer the first result?"""
    owner, executor = make_users(pg_app, 2)
    with pg_app.app_context():
        money.credit(executor.id, 1000, TransactionType.RECHARGE, "seed")
        db.session.commit()
    order_id = make_order(pg_app, owner)
    key = "same-key" if with_key else None

    codes = all_at_once(50, lambda i: take_over_http(pg_app, executor, order_id, key))

    assert Counter(codes) == {201: 1, 200: 49}
    assert balances(pg_app, [executor]) == [1000 - PRICE]
    charges = select(func.count(BalanceTransaction.id)).where(
        BalanceTransaction.type == TransactionType.ORDER_TAKE
    )
    assert count(pg_app, charges) == 1
    assert ledger_problems(pg_app) == []


def test_one_executor_many_orders_at_once(pg_app):
    """Does one executor taking 20 orders at once with money for 5 get exactly 5, never a
    negative or stale balance (the identity-map trap)?"""
    clients = make_users(pg_app, 20)
    (executor,) = make_users(pg_app, 1, funds=5 * PRICE)
    orders = [make_order(pg_app, c) for c in clients]

    codes = all_at_once(20, lambda i: take_over_http(pg_app, executor, orders[i]))

    assert Counter(codes) == {201: 5, 402: 15}
    assert balances(pg_app, [executor]) == [0]
    assert count(pg_app, select(func.count(Take.id))) == 5
    assert ledger_problems(pg_app) == []


def test_takes_and_repeats_mixed(pg_app):
    """Do 30 executors each sending their take 3 times at once still give 3 takes and one
    charge per take?"""
    (owner,) = make_users(pg_app, 1)
    executors = make_users(pg_app, 30, funds=1000)
    order_id = make_order(pg_app, owner)

    codes = all_at_once(90, lambda i: take_over_http(pg_app, executors[i % 30], order_id))

    assert codes.count(201) == 3
    assert set(codes) <= {200, 201, 409}
    assert sum(balances(pg_app, executors)) == 30 * 1000 - 3 * PRICE
    assert ledger_problems(pg_app) == []


def _overdue_taken_orders(app: Flask, orders: int) -> list[User]:
    clients = make_users(app, orders)
    executors = make_users(app, 3, funds=orders * PRICE)
    with app.app_context():
        for client_user in clients:
            order = services.create_order(
                db.session.get(User, client_user.id), services.OrderDraft(**order_fields())
            )
            for executor in executors:
                services.take_order(db.session.get(User, executor.id), order.id)
            order.first_taken_at = utcnow() - timedelta(minutes=16)
        db.session.commit()
    return executors


def run_job_in_threads(app: Flask, workers: int, job: Callable[[], Any]) -> list[Any]:
    def work(_: int) -> Any:
        with app.app_context():
            result = job()
            db.session.commit()
            return result

    return all_at_once(workers, work)


def test_two_workers_closing_at_once_refund_once(pg_app):
    """Do two no-response sweeps at the same moment refund every take exactly once?"""
    executors = _overdue_taken_orders(pg_app, 20)
    assert balances(pg_app, executors) == [0, 0, 0]

    results = run_job_in_threads(pg_app, 2, services.close_unanswered_orders)

    closed = [order_id for result in results for order_id in result]
    assert len(closed) == len(set(closed)) == 20
    assert balances(pg_app, executors) == [20 * PRICE] * 3
    refunds = select(func.count(BalanceTransaction.id)).where(
        BalanceTransaction.type == TransactionType.REFUND
    )
    assert count(pg_app, refunds) == 60
    assert run_job_in_threads(pg_app, 2, services.close_unanswered_orders) == [[], []]
    assert ledger_problems(pg_app) == []


def test_two_workers_expiring_at_once(pg_app):
    """Do two expiry sweeps at the same moment expire each overdue order once?"""
    clients = make_users(pg_app, 30)
    with pg_app.app_context():
        for client_user in clients:
            order = services.create_order(
                db.session.get(User, client_user.id), services.OrderDraft(**order_fields())
            )
            order.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()

    results = run_job_in_threads(pg_app, 2, services.expire_overdue_orders)

    assert sum(results) == 30
    expired = select(func.count(Order.id)).where(Order.status == OrderStatus.EXPIRED)
    assert count(pg_app, expired) == 30


def test_take_racing_the_closing_sweep(pg_app):
    """When takes and the no-response sweep run at once, is every charge either kept by an
    open order or refunded — never lost, never doubled?"""
    (owner,) = make_users(pg_app, 1)
    first, *others = make_users(pg_app, 3, funds=1000)
    order_id = make_order(pg_app, owner)
    assert take_over_http(pg_app, first, order_id) == 201
    with pg_app.app_context():
        db.session.get(Order, order_id).first_taken_at = utcnow() - timedelta(minutes=16)
        db.session.commit()

    def work(i: int) -> Any:
        if i == 0:
            with pg_app.app_context():
                closed = services.close_unanswered_orders()
                db.session.commit()
                return closed
        return take_over_http(pg_app, others[i - 1], order_id)

    all_at_once(3, work)
    # A sweep skips rows a take holds locked (SKIP LOCKED); the next minute's run closes it.
    run_job_in_threads(pg_app, 1, services.close_unanswered_orders)

    with pg_app.app_context():
        order = db.session.get(Order, order_id)
        assert order.status == OrderStatus.CLOSED_NO_RESPONSE
        takes = db.session.scalars(select(Take)).all()
        assert all(t.refunded_at is not None for t in takes)
    assert balances(pg_app, [first, *others]) == [1000, 1000, 1000]
    assert ledger_problems(pg_app) == []


def test_hourly_limit_holds_under_concurrency(pg_app):
    """Do 20 simultaneous posts by one user create exactly 10 orders?"""
    (owner,) = make_users(pg_app, 1)

    def post(_: int) -> int:
        body = order_fields()
        answer = pg_app.test_client().post("/api/orders", json=body, headers=headers_for(owner))
        return answer.status_code

    assert Counter(all_at_once(20, post)) == {201: 10, 429: 10}
    assert count(pg_app, select(func.count(Order.id))) == 10


def test_force_close_racing_the_closing_sweep(pg_app):
    """When admins force-close overdue orders while the no-response sweep runs, is every
    take refunded exactly once and every order closed by exactly one of them?"""
    executors = _overdue_taken_orders(pg_app, 10)
    (admin,) = make_users(pg_app, 1)
    with pg_app.app_context():
        db.session.get(User, admin.id).role = Role.ADMIN
        order_ids = list(db.session.scalars(select(Order.id).order_by(Order.id)))
        db.session.commit()

    def work(i: int) -> Any:
        with pg_app.app_context():
            try:
                if i == 0:
                    return services.close_unanswered_orders()
                actor = db.session.get(User, admin.id)
                return [services.force_close_order(actor, order_ids[i - 1], "fraud").id]
            except Conflict:
                db.session.rollback()
                return []
            finally:
                db.session.commit()

    results = all_at_once(11, work)

    closed = [order_id for result in results for order_id in result]
    assert sorted(closed) == sorted(order_ids)
    assert balances(pg_app, executors) == [10 * PRICE] * 3
    refunds = select(func.count(BalanceTransaction.id)).where(
        BalanceTransaction.type == TransactionType.REFUND
    )
    assert count(pg_app, refunds) == 30
    with pg_app.app_context():
        assert all(t.refunded_at is not None for t in db.session.scalars(select(Take)))
        statuses = set(db.session.scalars(select(Order.status)))
        assert statuses <= {OrderStatus.DELETED, OrderStatus.CLOSED_NO_RESPONSE}
    assert ledger_problems(pg_app) == []
