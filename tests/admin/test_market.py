"""The market views: orders with an admin's force-close (every take refunded through the
market service, audited), and the read-only ledger, client reviews and complaints."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.admin.conftest import audit_entries, csrf_token, demote, filter_arg, sign_in
from tests.market.conftest import ledger_problems, new_contact
from webapp.extensions import db
from webapp.market import money, services
from webapp.market.models import (
    BalanceTransaction,
    ClientReview,
    ExecutorComplaint,
    Order,
    OrderStatus,
    Take,
    TransactionType,
)
from webapp.outbox import queued_for
from webapp.users.models import Role, User

FUNDS = 1000
ORDER = {
    "category": "courier",
    "city": "Moscow",
    "description": "Bring a parcel across town",
    "contact": "+7 900 000-00-00",
}


@pytest.fixture
def client_user(make_user) -> User:
    return make_user(Role.STUDENT, first_name="Clara")


@pytest.fixture
def executors(app: Flask, make_user) -> list[User]:
    """Two executors with 10 ₽ each (a recharge transaction apiece)."""
    people = [make_user(Role.STUDENT, first_name=name) for name in ("Egor", "Eva")]
    with app.app_context():
        for person in people:
            money.credit(person.id, FUNDS, TransactionType.RECHARGE, f"t:{uuid.uuid4().hex}")
        db.session.commit()
    return people


@pytest.fixture
def make_order(app: Flask, client_user: User) -> Callable[..., str]:
    """`make_order(takers=[…], description=…)` posts an order through the service and has
    each taker take it; its id."""

    def make(takers: list[User] = (), **fields: str) -> str:
        with app.app_context():
            draft = services.OrderDraft(**{**ORDER, "contact": new_contact(), **fields})
            order = services.create_order(db.session.get(User, client_user.id), draft)
            for taker in takers:
                services.take_order(db.session.get(User, taker.id), order.id)
            db.session.commit()
            return order.id

    return make


def stored(app: Flask, order_id: str) -> Order:
    with app.app_context():
        order = db.session.get(Order, order_id)
        db.session.expunge(order)
        return order


def balances(app: Flask, users: list[User]) -> list[int]:
    with app.app_context():
        return [money.balance_of(u.id) for u in users]


def refunds(app: Flask) -> list[BalanceTransaction]:
    with app.app_context():
        rows = db.session.scalars(
            select(BalanceTransaction).where(BalanceTransaction.type == TransactionType.REFUND)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def test_orders_list_search_and_filters(app, admin_client, make_order):
    """Does the list show orders with their client's linked name, and do the search by
    description and the status and city filters narrow it?"""
    first = make_order(description="Walk the dog")
    second = make_order(description="Fix a tap", city="Kazan")
    page = admin_client.get("/admin/market/orders/").get_data(as_text=True)
    assert first in page and second in page and "Clara" in page
    found = admin_client.get("/admin/market/orders/?search=tap").get_data(as_text=True)
    assert second in found and first not in found
    found = admin_client.get(f"/admin/market/orders/?search={first}").get_data(as_text=True)
    assert first in found and second not in found
    city = filter_arg(app, "market_orders", "City", "equals")
    found = admin_client.get("/admin/market/orders/", query_string={city: "Kazan"})
    assert second in found.get_data(as_text=True) and first not in found.get_data(as_text=True)
    status = filter_arg(app, "market_orders", "Status", "equals")
    found = admin_client.get("/admin/market/orders/", query_string={status: "expired"})
    assert first not in found.get_data(as_text=True)


def test_force_close_refunds_every_take(app, admin_client, dashboard_admin, executors, make_order):
    """Does a force-close delete the order, refund both executors through refund
    transactions, tell them in chat, and log before/after with the reason?"""
    order_id = make_order(executors)
    price = app.config["MARKET_TAKE_PRICE"]
    assert balances(app, executors) == [FUNDS - price] * 2
    page = admin_client.get(f"/admin/market/orders/{order_id}/manage").get_data(as_text=True)
    assert "Egor" in page and "Eva" in page and "Force close with refunds" in page

    answer = admin_client.post(
        f"/admin/market/orders/{order_id}/force-close", data={"reason": "Fraudulent order"}
    )

    assert answer.status_code == 302
    assert stored(app, order_id).status == OrderStatus.DELETED
    assert balances(app, executors) == [FUNDS, FUNDS]
    refunded = refunds(app)
    assert sorted(r.user_id for r in refunded) == sorted(e.id for e in executors)
    assert all(r.amount == price for r in refunded)
    assert ledger_problems(app) == []
    with app.app_context():
        assert all(t.refunded_at is not None for t in db.session.scalars(select(Take)))
        for executor in executors:
            [message] = queued_for(executor.telegram_id)
            assert "administrator closed the order" in message.text
    [entry] = audit_entries(app, "order.force_close")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        dashboard_admin.id,
        "orders",
        order_id,
    )
    assert entry.before["status"] == "active" and entry.before["takes_refunded"] == 0
    assert entry.after["status"] == "deleted" and entry.after["takes_refunded"] == 2
    assert entry.after["reason"] == "Fraudulent order" and "reason" not in entry.before
    page = admin_client.get(f"/admin/market/orders/{order_id}/manage").get_data(as_text=True)
    assert "Force close with refunds" not in page and "order.force_close" in page


def test_force_close_needs_a_reason(app, admin_client, executors, make_order):
    """Is a force-close without a reason refused, nothing refunded?"""
    order_id = make_order(executors)
    answer = admin_client.post(
        f"/admin/market/orders/{order_id}/force-close", data={"reason": " "}, follow_redirects=True
    )
    assert "This field is required." in answer.get_data(as_text=True)
    assert stored(app, order_id).status == OrderStatus.ACTIVE
    assert refunds(app) == [] and audit_entries(app) == []


@pytest.mark.parametrize("status", [OrderStatus.EXPIRED, OrderStatus.COMPLETED])
def test_a_closed_order_is_not_force_closed(app, admin_client, executors, make_order, status):
    """Is force-closing an order that is no longer active refused with a message, and
    nothing changed (no refund, no audit entry)?"""
    order_id = make_order(executors)
    with app.app_context():
        db.session.get(Order, order_id).status = status
        db.session.commit()
    answer = admin_client.post(
        f"/admin/market/orders/{order_id}/force-close",
        data={"reason": "Too late"},
        follow_redirects=True,
    )
    assert "This order is no longer active." in answer.get_data(as_text=True)
    assert stored(app, order_id).status == status
    assert balances(app, executors) == [FUNDS - app.config["MARKET_TAKE_PRICE"]] * 2
    assert refunds(app) == [] and audit_entries(app) == []


def test_the_service_keeps_its_own_rules(app, executors, make_order, make_user, dashboard_admin):
    """Does `force_close_order` itself refuse a moderator, a blank reason and a deleted
    order, changing nothing (the rules are the service's, not only the dashboard's)?"""
    from webapp.errors import Forbidden, NotFound, ValidationFailed

    order_id = make_order(executors)
    moderator = make_user(Role.MODERATOR)
    with app.app_context():
        with pytest.raises(Forbidden):
            services.force_close_order(db.session.get(User, moderator.id), order_id, "why not")
        with pytest.raises(ValidationFailed):
            services.force_close_order(db.session.get(User, dashboard_admin.id), order_id, " ")
        db.session.rollback()
    assert stored(app, order_id).status == OrderStatus.ACTIVE and refunds(app) == []
    with app.app_context():
        db.session.get(Order, order_id).status = OrderStatus.DELETED
        db.session.commit()
        with pytest.raises(NotFound):
            services.force_close_order(db.session.get(User, dashboard_admin.id), order_id, "x")


def test_strangers_and_non_admins_are_refused(
    app, client, admin_client, dashboard_admin, executors, make_order
):
    """Is a force-close refused to strangers and to an admin who lost the role?"""
    order_id = make_order(executors)
    url = f"/admin/market/orders/{order_id}/force-close"
    answer = client.post(url, data={"reason": "x"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/login"
    demote(app, dashboard_admin)
    assert admin_client.post(url, data={"reason": "x"}).status_code == 403
    assert admin_client.get("/admin/market/transactions/").status_code == 403
    assert stored(app, order_id).status == OrderStatus.ACTIVE
    assert refunds(app) == [] and audit_entries(app) == []


def test_transactions_are_listed_read_only(app, admin_client, executors, make_order):
    """Does the ledger show signed amounts in rubles with references, filter by type and
    user, and offer no create, edit or delete?"""
    make_order(executors[:1])
    page = admin_client.get("/admin/market/transactions/").get_data(as_text=True)
    assert "+RUB10.00" in page and "-RUB2.00" in page and "take:" in page and "Egor" in page
    kind = filter_arg(app, "market_transactions", "Type", "equals")
    only = admin_client.get("/admin/market/transactions/", query_string={kind: "order_take"})
    assert "-RUB2.00" in only.get_data(as_text=True)
    assert "+RUB10.00" not in only.get_data(as_text=True)
    user = filter_arg(app, "market_transactions", "User", "equals")
    only = admin_client.get(
        "/admin/market/transactions/", query_string={user: str(executors[1].id)}
    ).get_data(as_text=True)
    assert "Eva" in only and "Egor" not in only
    for url in ("new/", "edit/?id=1", "details/?id=1"):
        assert admin_client.get(f"/admin/market/transactions/{url}").status_code in (302, 404)
    assert admin_client.post("/admin/market/transactions/delete/", data={"id": 1}).status_code in (
        302,
        404,
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(BalanceTransaction.id))) == 3
    assert ledger_problems(app) == []


def test_reviews_and_complaints_with_filters(app, admin_client, client_user, executors, make_order):
    """Do the reviews (by rating, by executor) and complaints (by reason) lists filter?"""
    order_id = make_order(executors)
    egor, eva = executors
    with app.app_context():
        db.session.add_all(
            [
                ClientReview(
                    order_id=order_id,
                    client_id=client_user.id,
                    executor_id=egor.id,
                    rating=5,
                    text="Quick and polite",
                ),
                ClientReview(
                    order_id=order_id,
                    client_id=client_user.id,
                    executor_id=eva.id,
                    rating=2,
                    text="Came late",
                ),
                ExecutorComplaint(
                    order_id=order_id, executor_id=egor.id, reason="fake", text="No such address"
                ),
                ExecutorComplaint(
                    order_id=order_id, executor_id=eva.id, reason="rude", text="Shouted"
                ),
            ]
        )
        db.session.commit()
    rating = filter_arg(app, "market_reviews", "Rating", "equals")
    page = admin_client.get("/admin/market/reviews/", query_string={rating: "5"})
    assert "Quick and polite" in page.get_data(as_text=True)
    assert "Came late" not in page.get_data(as_text=True)
    executor = filter_arg(app, "market_reviews", "Executor", "equals")
    page = admin_client.get("/admin/market/reviews/", query_string={executor: str(eva.id)})
    assert "Came late" in page.get_data(as_text=True)
    assert "Quick and polite" not in page.get_data(as_text=True)
    reason = filter_arg(app, "market_complaints", "Reason", "equals")
    page = admin_client.get("/admin/market/complaints/", query_string={reason: "rude"})
    assert "Shouted" in page.get_data(as_text=True)
    assert "No such address" not in page.get_data(as_text=True)


class TestWithCSRF:
    @pytest.fixture
    def app_overrides(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_force_close_needs_the_token(self, app, client, dashboard_admin, executors, make_order):
        """Is a force-close without the order page's csrf_token refused (400), and with it
        done?"""
        order_id = make_order(executors)
        assert sign_in(client).status_code == 302
        base = f"/admin/market/orders/{order_id}"
        assert client.post(f"{base}/force-close", data={"reason": "x"}).status_code == 400
        assert stored(app, order_id).status == OrderStatus.ACTIVE
        assert refunds(app) == []
        token = csrf_token(client.get(f"{base}/manage").get_data(as_text=True))
        answer = client.post(f"{base}/force-close", data={"reason": "x", "csrf_token": token})
        assert answer.status_code == 302
        assert stored(app, order_id).status == OrderStatus.DELETED
        assert len(refunds(app)) == 2
