"""Closing: `POST /api/orders/<id>/close` by the client — withdrawn before any take, closed
without refunds after takes (each executor told once), the no-response close with refunds
when the response window passed unanswered; the page's button does the same."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from tests.fixtures.users import headers_for
from tests.market.conftest import balance, shift_order
from tests.market.test_concurrency import all_at_once, make_order, make_users, pg_app
from webapp.database import utcnow
from webapp.extensions import db
from webapp.market.models import BalanceTransaction, Order, Take, TransactionType
from webapp.outbox import queued_for
from webapp.outbox.models import OutgoingMessage

__all__ = ["pg_app"]  # the PostgreSQL/SQLite app fixture of the concurrency tests
PRICE = 200


def close(client, user, order_id):
    return client.post(f"/api/orders/{order_id}/close", headers=headers_for(user))


def take(client, user, order_id):
    return client.post(f"/api/orders/{order_id}/take", headers=headers_for(user))


def texts(app, user):
    with app.app_context():
        return [m.text for m in queued_for(user.telegram_id)]


def test_closing_before_any_take_withdraws(app, client, make_user, post_order, fund):
    """Is an order nobody took withdrawn: out of the feed, still in the client's list,
    no longer takeable, nobody told?"""
    owner, executor = make_user(), make_user()
    fund(executor, 1000)
    order = post_order(owner)

    answer = close(client, owner, order["id"])

    assert answer.status_code == 200
    assert answer.get_json()["status"] == "withdrawn"
    feed = client.get("/api/orders").get_json()["items"]
    assert order["id"] not in [o["id"] for o in feed]
    mine = client.get("/api/orders/mine", headers=headers_for(owner)).get_json()["items"]
    assert [o["status"] for o in mine] == ["withdrawn"]
    assert take(client, executor, order["id"]).status_code == 409
    assert balance(app, executor) == 1000
    with app.app_context():
        assert db.session.scalar(select(func.count(OutgoingMessage.id))) == 0


def test_closing_after_takes_keeps_the_money_and_tells_each_executor(
    app, client, make_user, post_order, fund
):
    """After takes, is the order closed with no refund, and is each executor told once (in
    their language), while a second close is refused?"""
    owner = make_user()
    english, russian = make_user(), make_user(language_code="ru")
    for executor in (english, russian):
        fund(executor, 1000)
    order = post_order(owner)
    for executor in (english, russian):
        assert take(client, executor, order["id"]).status_code == 201

    answer = close(client, owner, order["id"])

    assert answer.status_code == 200 and answer.get_json()["status"] == "closed"
    assert balance(app, english) == balance(app, russian) == 1000 - PRICE
    with app.app_context():
        refunds = select(func.count(BalanceTransaction.id)).where(
            BalanceTransaction.type == TransactionType.REFUND
        )
        assert db.session.scalar(refunds) == 0
    (said,) = texts(app, english)
    assert "closed the order" in said and "Courier · Moscow" in said
    (сказано,) = texts(app, russian)
    assert сказано.startswith("Заказчик закрыл заказ") and "Курьер · Москва" in сказано
    assert close(client, owner, order["id"]).status_code == 409
    assert len(texts(app, english)) == 1
    assert take(client, make_user(), order["id"]).status_code in (402, 409)


def test_only_the_client_may_close(client, make_user, post_order):
    """Are an executor, a stranger and an anonymous caller refused, and an unknown order 404?"""
    owner, stranger = make_user(), make_user()
    order = post_order(owner)
    assert close(client, stranger, order["id"]).status_code == 403
    assert client.post(f"/api/orders/{order['id']}/close").status_code == 401
    assert close(client, owner, "AAAAAAAAAAAA").status_code == 404
    status = client.get(f"/api/orders/{order['id']}").get_json()["status"]
    assert status == "active"


def test_closing_after_an_unanswered_window_refunds(app, client, make_user, post_order, fund):
    """When the client closes a taken order they never responded to within the window, do
    the executors get the refund the no-response rule owes them (and no closing message)?"""
    owner, executor = make_user(), make_user()
    fund(executor, 1000)
    order = post_order(owner)
    assert take(client, executor, order["id"]).status_code == 201
    shift_order(app, order["id"], first_taken_at=utcnow() - timedelta(minutes=16))

    answer = close(client, owner, order["id"])

    assert answer.status_code == 200
    assert answer.get_json()["status"] == "closed_no_response"
    assert balance(app, executor) == 1000
    assert not any("closed the order" in text for text in texts(app, executor))


def test_closing_after_a_response_keeps_the_money(app, client, make_user, post_order, fund):
    """Is a taken order the client responded to closed without refunds even after the
    window (the executors got their response)?"""
    owner, executor = make_user(), make_user()
    fund(executor, 1000)
    order = post_order(owner)
    assert take(client, executor, order["id"]).status_code == 201
    responded = client.post(f"/api/orders/{order['id']}/respond", headers=headers_for(owner))
    assert responded.status_code == 200
    shift_order(app, order["id"], first_taken_at=utcnow() - timedelta(minutes=30))

    assert close(client, owner, order["id"]).get_json()["status"] == "closed"
    assert balance(app, executor) == 1000 - PRICE


def test_page_button_closes_and_labels_the_status(client, make_user, post_order, fund):
    """Does the client's order page offer the close, close through it, and then show the
    status by its Russian label?"""
    owner = make_user(language_code="ru")
    executor = make_user()
    fund(executor, 1000)
    order = post_order(owner)
    assert take(client, executor, order["id"]).status_code == 201
    page = client.get(f"/orders/{order['id']}", headers=headers_for(owner)).get_data(as_text=True)
    assert f"/orders/{order['id']}/close" in page and "Закрыть заказ" in page

    answer = client.post(f"/orders/{order['id']}/close", headers=headers_for(owner))

    assert answer.status_code == 200
    assert f"/orders/{order['id']}/close" not in answer.get_data(as_text=True)
    page = client.get(f"/orders/{order['id']}", headers=headers_for(owner)).get_data(as_text=True)
    assert "Закрыт заказчиком" in page


def test_a_close_racing_takes_never_loses_money_or_a_message(pg_app):
    """When the client closes while ten executors take at once, does the order end either
    withdrawn with no take and no charge, or closed with each take charged once, never
    refunded, and its executor told once? (PostgreSQL row locks; SQLite's guards.)"""
    (owner,) = make_users(pg_app, 1)
    executors = make_users(pg_app, 10, funds=1000)
    order_id = make_order(pg_app, owner)

    def work(i: int) -> int:
        user = owner if i == 10 else executors[i]
        path = "close" if i == 10 else "take"
        headers = headers_for(user)
        return (
            pg_app.test_client().post(f"/api/orders/{order_id}/{path}", headers=headers).status_code
        )

    codes = all_at_once(11, work)

    assert codes[10] == 200
    with pg_app.app_context():
        order = db.session.get(Order, order_id)
        takes = db.session.scalars(select(Take).where(Take.order_id == order_id)).all()
        charges = Counter(
            db.session.scalars(select(BalanceTransaction.type).where(BalanceTransaction.amount < 0))
        )
        told = db.session.scalars(
            select(OutgoingMessage.dedupe_key).where(
                OutgoingMessage.dedupe_key.like(f"market:closed:{order_id}:%")
            )
        ).all()
        assert Counter(codes[:10])[201] == len(takes) == order.takes_count
        assert charges[TransactionType.ORDER_TAKE] == len(takes)
        if order.status == "withdrawn":
            assert takes == [] and told == []
        else:
            assert order.status == "closed" and 1 <= len(takes) <= 3
            assert sorted(told) == sorted(
                f"market:closed:{order_id}:{t.executor_id}" for t in takes
            )
        refunds = select(func.count(BalanceTransaction.id)).where(
            BalanceTransaction.type == TransactionType.REFUND
        )
        assert db.session.scalar(refunds) == 0
