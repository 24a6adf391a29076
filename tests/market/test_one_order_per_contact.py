"""One active order per contact (`MARKET_ONE_ORDER_PER_CONTACT`, on by default and in every
test): a second active order with the same contact is a 409 with a translated reason, beside
the hourly limit, and two posts at once cannot both pass (a partial unique index)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.fixtures.app import app_with_tables
from tests.fixtures.services import concurrent_engine_options
from tests.fixtures.users import headers_for
from tests.market.conftest import ORDER
from tests.market.test_concurrency import all_at_once, make_users
from webapp.extensions import db
from webapp.market.models import Order

SAME = "+7 (900) 000-00-00"


def post(client, user, **fields):
    return client.post("/api/orders", json={**ORDER, **fields}, headers=headers_for(user))


def test_a_second_active_order_with_the_same_contact_is_a_409(client, make_user):
    """Is a second active order with the same contact — written another way, by anyone —
    refused with a 409 problem in the user's language, and another contact accepted?"""
    first, second = make_user(), make_user(language_code="ru")
    assert post(client, first, contact="+7 900 000-00-00").status_code == 201
    for contact in (SAME, "+79000000000"):
        answer = post(client, second, contact=contact)
        assert answer.status_code == 409
        assert answer.content_type == "application/problem+json"
        assert answer.get_json()["detail"].startswith("Уже есть активный заказ")
    english = post(client, first, contact=SAME).get_json()["detail"]
    assert "An active order with this contact already exists" in english
    assert post(client, second, contact="@other_contact").status_code == 201


def test_the_order_form_says_why_and_keeps_what_was_typed(client, make_user):
    """Does the new-order page, given a contact another active order has, answer 409 with the
    reason above the form and the typed values kept, posting nothing?"""
    first, second = make_user(), make_user()
    assert post(client, first, contact=SAME).status_code == 201
    fields = {**ORDER, "contact": SAME, "description": "Carry a sofa"}
    answer = client.post(
        "/orders/new", data=fields, headers={**headers_for(second), "HX-Request": "true"}
    )
    assert answer.status_code == 409
    page = answer.get_data(as_text=True)
    assert 'role="alert">An active order with this contact already exists' in page
    assert "Carry a sofa" in page
    mine = client.get("/api/orders/mine", headers=headers_for(second)).get_json()
    assert mine["items"] == []


def test_the_contact_is_free_again_once_the_order_ends(client, make_user):
    """May the contact be used again after its order is deleted (no longer active)?"""
    owner = make_user()
    order = post(client, owner, contact=SAME).get_json()
    assert post(client, owner, contact=SAME).status_code == 409
    deleted = client.delete(f"/api/orders/{order['id']}", headers=headers_for(owner))
    assert deleted.status_code == 204
    assert post(client, owner, contact=SAME).status_code == 201


def test_editing_into_a_taken_contact_is_a_409(client, make_user):
    """Is changing an order's contact to another active order's contact refused too?"""
    owner = make_user()
    post(client, owner, contact="first@example.com")
    second = post(client, owner, contact="second@example.com").get_json()
    path = f"/api/orders/{second['id']}"
    moved = client.put(path, json={"contact": "FIRST@example.com"}, headers=headers_for(owner))
    assert moved.status_code == 409
    kept = client.put(path, json={"contact": "Second@Example.com"}, headers=headers_for(owner))
    assert kept.status_code == 200


def test_the_hourly_limit_still_comes_first(app, client, make_user):
    """Past the hourly limit, is a post a 429 (the limit) whatever its contact?"""
    owner = make_user()
    app.config["MARKET_ORDERS_PER_HOUR"] = 1
    try:
        assert post(client, owner, contact="a").status_code == 201
        assert post(client, owner, contact="a").status_code == 429
        assert post(client, owner, contact="b").status_code == 429
    finally:
        app.config["MARKET_ORDERS_PER_HOUR"] = 10


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgres), "sqlite"])
def rule_app(request: pytest.FixtureRequest, tmp_path) -> Iterator[Flask]:
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
        engine = concurrent_engine_options()
    else:
        url = f"sqlite:///{tmp_path / 'contact.db'}"
        engine = {"pool_size": 20, "max_overflow": 0, "connect_args": {"timeout": 30}}
    with app_with_tables(url, {"SQLALCHEMY_ENGINE_OPTIONS": engine}) as app:
        yield app


def test_simultaneous_posts_with_one_contact_make_one_order(rule_app):
    """Do 16 users posting an order with the same contact at the same moment (threads, real
    connections) make exactly one order, the others a 409?"""
    users = make_users(rule_app, 16)

    def post_at_once(index: int) -> int:
        client = rule_app.test_client()
        return post(client, users[index], contact=SAME).status_code

    assert Counter(all_at_once(16, post_at_once)) == {201: 1, 409: 15}
    with rule_app.app_context():
        assert db.session.scalar(select(func.count(Order.id))) == 1


def test_an_order_past_its_time_frees_the_contact_before_the_sweep(app, client, make_user):
    """Does an order whose time is up (not yet swept) stop holding its contact: the new
    order is accepted and the old one expires, while one still running holds it?"""
    from datetime import timedelta

    from tests.market.conftest import shift_order
    from webapp.market.models import OrderStatus

    owner = make_user()
    old = post(client, owner, contact=SAME).get_json()
    shift_order(app, old["id"], created_ago=timedelta(hours=2))
    assert post(client, owner, contact=SAME).status_code == 201
    with app.app_context():
        assert db.session.get(Order, old["id"]).status == OrderStatus.EXPIRED
    assert post(client, owner, contact=SAME).status_code == 409


def test_a_deployment_may_allow_several_active_orders_per_contact(app, client, make_user):
    """With `MARKET_ONE_ORDER_PER_CONTACT=0`, are two active orders with one contact — posted,
    or made so by an edit — both accepted (the rule is the deployment's, not the schema's),
    and is the rule back once the setting is?"""
    first, second = make_user(), make_user()
    app.config["MARKET_ONE_ORDER_PER_CONTACT"] = False
    try:
        assert post(client, first, contact=SAME).status_code == 201
        assert post(client, second, contact="+79000000000").status_code == 201
        other = post(client, second, contact="@someone_else").get_json()
        edited = client.put(
            f"/api/orders/{other['id']}", json={"contact": SAME}, headers=headers_for(second)
        )
        assert edited.status_code == 200, edited.get_json()
        with app.app_context():
            keys = db.session.scalars(select(Order.contact_key)).all()
        assert keys == [None, None, None]
    finally:
        app.config["MARKET_ONE_ORDER_PER_CONTACT"] = True
    assert post(client, first, contact="+7 900 000 00 00").status_code == 201
    assert post(client, second, contact=SAME).status_code == 409
