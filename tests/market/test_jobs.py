"""The market's sweeps: expiry at 60 minutes, closing after 15 minutes without a response
with a refund to every executor; both idempotent, and the job functions commit."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from jobs import market as market_jobs
from jobs.schedule import PERIODIC_JOBS
from tests.fixtures.users import headers_for
from tests.market.conftest import balance, now_plus, shift_order
from webapp.extensions import db
from webapp.market import services
from webapp.market.models import BalanceTransaction, Order, OrderStatus, TransactionType
from webapp.outbox import queued_for


def status_of(app, order_id: str) -> str:
    with app.app_context():
        return db.session.get(Order, order_id).status.value


def take(client, user, order_id):
    answer = client.post(f"/api/orders/{order_id}/take", headers=headers_for(user))
    assert answer.status_code == 201
    return answer


def test_expiry_job_expires_untaken_orders(app, client, student, post_order):
    """Does the expiry job turn an untaken order past its 60 minutes into `expired`, and
    leave fresh ones alone?"""
    overdue, fresh = post_order(student), post_order(student)
    shift_order(app, overdue["id"], created_ago=timedelta(minutes=60, seconds=1))
    with app.app_context():
        assert market_jobs.expire_overdue_orders() == 1
        assert market_jobs.expire_overdue_orders() == 0
    assert status_of(app, overdue["id"]) == "expired"
    assert status_of(app, fresh["id"]) == "active"


def test_expiry_leaves_unanswered_taken_orders_to_the_response_rule(
    app, client, make_user, post_order, fund
):
    """Is a taken order without a response kept for the 15-minute rule (so its executors
    are refunded), while an answered one expires at its time?"""
    owner, executor = make_user(), make_user()
    fund(executor, 1000)
    unanswered, answered = post_order(owner), post_order(owner)
    for order in (unanswered, answered):
        take(client, executor, order["id"])
    client.post(f"/api/orders/{answered['id']}/respond", headers=headers_for(owner))
    for order in (unanswered, answered):
        shift_order(app, order["id"], created_ago=timedelta(minutes=61))
    with app.app_context():
        assert services.expire_overdue_orders() == 1
        db.session.commit()
    assert status_of(app, answered["id"]) == "expired"
    assert status_of(app, unanswered["id"]) == "active"


def test_no_response_closes_and_refunds_every_executor(app, client, make_user, post_order, fund):
    """After 15 minutes without a response, is the order closed and every executor
    refunded exactly once, even when the job runs again?"""
    owner = make_user()
    executors = [make_user() for _ in range(3)]
    order = post_order(owner)
    for executor in executors:
        fund(executor, 1000)
        take(client, executor, order["id"])
    shift_order(app, order["id"], first_taken_at=now_plus(minutes=-15, seconds=-1))
    with app.app_context():
        assert market_jobs.close_unanswered_orders() == 1
        assert market_jobs.close_unanswered_orders() == 0
    assert status_of(app, order["id"]) == "closed_no_response"
    assert [balance(app, e) for e in executors] == [1000, 1000, 1000]
    with app.app_context():
        refunds = db.session.scalars(
            select(BalanceTransaction).where(BalanceTransaction.type == TransactionType.REFUND)
        ).all()
        assert sorted(r.user_id for r in refunds) == sorted(e.id for e in executors)
        assert all(r.amount == 200 for r in refunds)
        # Each executor hears about the refund.
        assert all(len(queued_for(e.telegram_id)) == 1 for e in executors)


def test_no_response_waits_the_full_window(app, client, make_user, post_order, fund):
    """Is an order whose window has not passed, or whose client responded, left open?"""
    owner, executor = make_user(), make_user()
    fund(executor, 1000)
    waiting, answered = post_order(owner), post_order(owner)
    for order in (waiting, answered):
        take(client, executor, order["id"])
    client.post(f"/api/orders/{answered['id']}/respond", headers=headers_for(owner))
    shift_order(app, waiting["id"], first_taken_at=now_plus(minutes=-14))
    shift_order(app, answered["id"], first_taken_at=now_plus(minutes=-20))
    with app.app_context():
        assert services.close_unanswered_orders() == []
    assert balance(app, executor) == 600


def test_no_response_refunds_even_after_expiry(app, client, make_user, post_order, fund):
    """Is an order taken in its last minute still refunded when the client never answers?"""
    owner, executor = make_user(), make_user()
    fund(executor, 1000)
    order = post_order(owner)
    take(client, executor, order["id"])
    shift_order(
        app,
        order["id"],
        created_ago=timedelta(minutes=75),
        first_taken_at=now_plus(minutes=-16),
    )
    with app.app_context():
        services.expire_overdue_orders()
        services.close_unanswered_orders()
        db.session.commit()
        assert db.session.get(Order, order["id"]).status == OrderStatus.CLOSED_NO_RESPONSE
    assert balance(app, executor) == 1000


def test_jobs_are_scheduled():
    """Are expiry and closing scheduled every minute, and digests hourly and daily?"""
    by_func = {job.func: job.every for job in PERIODIC_JOBS}
    assert by_func["jobs.market.expire_overdue_orders"] == timedelta(minutes=1)
    assert by_func["jobs.market.close_unanswered_orders"] == timedelta(minutes=1)
    assert by_func["jobs.market.send_hourly_digests"] == timedelta(hours=1)
    assert by_func["jobs.market.send_daily_digests"] == timedelta(days=1)
