"""Orders over HTTP: posting, the public feed, contacts, editing, taking for money, the
client's response and completion (SPEC §5 market)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.fixtures.users import headers_for
from tests.market.conftest import ORDER, balance, order_fields, shift_order
from webapp.extensions import db
from webapp.market.models import BalanceTransaction, IdempotencyKey, Take
from webapp.users.models import User

PRICE = 200


def test_config_is_public_and_complete(client):
    """Does GET /api/config name categories, cities, ticket types, price and lifetime?"""
    body = client.get("/api/config").get_json()
    assert "courier" in body["categories"] and "Moscow" in body["cities"]
    assert body["ticket_types"] == ["standard", "vip"]
    assert body["take_price"] == {"amount": PRICE, "currency": "RUB"}
    assert body["order_ttl_minutes"] == 60
    assert body["max_takes"] == 3


def test_create_order(client, student):
    """Is a posted order active for 60 minutes, with a 12-character id and its contact?"""
    answer = client.post("/api/orders", json=ORDER, headers=headers_for(student))
    assert answer.status_code == 201
    body = answer.get_json()
    assert len(body["id"]) == 12 and body["id"].isalnum()
    assert body["status"] == "active" and body["minutes_left"] == 60
    assert body["contact"] == ORDER["contact"] and body["is_mine"] is True
    assert body["created_at"].endswith("Z") or "+00:00" in body["created_at"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("category", "piano"), ("city", "Atlantis"), ("description", "   "), ("contact", "")],
)
def test_create_order_validates_fields(client, student, field, value):
    """Are an unknown category or city and a blank text a 422 naming the field?"""
    answer = client.post("/api/orders", json={**ORDER, field: value}, headers=headers_for(student))
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert any(field in error["field"] for error in answer.get_json()["errors"])


def test_create_needs_sign_in(client):
    """Can an anonymous caller post an order? (No: 401.)"""
    assert client.post("/api/orders", json=ORDER).status_code == 401


def test_at_most_ten_orders_per_hour(app, client, student, post_order):
    """Is the 11th order within an hour refused with 429 and Retry-After?"""
    first = post_order(student)
    for _ in range(9):
        post_order(student)
    answer = client.post("/api/orders", json=order_fields(), headers=headers_for(student))
    assert answer.status_code == 429
    assert 1 <= int(answer.headers["Retry-After"]) <= 3600
    shift_order(app, first["id"], created_ago=timedelta(minutes=61))
    again = client.post("/api/orders", json=order_fields(), headers=headers_for(student))
    assert again.status_code == 201


def test_feed_is_public_without_contacts(app, client, make_user, post_order):
    """Does the public feed list active unexpired orders, filtered, without contacts?"""
    client_user = make_user()
    moscow = post_order(client_user)
    kazan = post_order(client_user, city="Kazan", category="repair")
    old = post_order(client_user)
    shift_order(app, old["id"], created_ago=timedelta(minutes=61))
    deleted = post_order(client_user)
    client.delete(f"/api/orders/{deleted['id']}", headers=headers_for(client_user))

    body = client.get("/api/orders").get_json()
    assert {o["id"] for o in body["items"]} == {moscow["id"], kazan["id"]}
    assert body["total"] == 2 and body["skip"] == 0 and body["limit"] == 20
    assert all(o["contact"] is None for o in body["items"])
    assert all(0 < o["minutes_left"] <= 60 for o in body["items"])
    assert [o["id"] for o in client.get("/api/orders?city=Kazan").get_json()["items"]] == [
        kazan["id"]
    ]
    assert [o["id"] for o in client.get("/api/orders?category=courier").get_json()["items"]] == [
        moscow["id"]
    ]
    assert client.get("/api/orders?limit=101").status_code == 422
    # Even the client's own order shows no contact in the public feed.
    own = client.get("/api/orders", headers=headers_for(client_user)).get_json()
    assert all(o["contact"] is None for o in own["items"])


def test_minutes_left_is_computed_by_the_server(app, client, student, post_order):
    """Does minutes_left count down from the order's expiry?"""
    order = post_order(student)
    shift_order(app, order["id"], created_ago=timedelta(minutes=25, seconds=30))
    assert client.get(f"/api/orders/{order['id']}").get_json()["minutes_left"] == 35


def test_contact_only_for_client_and_takers(client, make_user, post_order, fund):
    """Is the contact hidden from strangers and shown to the client and to takers?"""
    owner, executor, stranger = make_user(), make_user(), make_user()
    order = post_order(owner)
    path = f"/api/orders/{order['id']}"
    assert client.get(path).get_json()["contact"] is None
    assert client.get(path, headers=headers_for(stranger)).get_json()["contact"] is None
    assert client.get(path, headers=headers_for(owner)).get_json()["contact"] == order["contact"]
    fund(executor)
    client.post(f"{path}/take", headers=headers_for(executor))
    seen = client.get(path, headers=headers_for(executor)).get_json()
    assert seen["contact"] == order["contact"] and seen["taken_by_me"] is True


def test_unknown_order_is_404(client, student):
    """Is an unknown order id a 404 problem (and a malformed one a 422)?"""
    assert client.get("/api/orders/AAAAAAAAAAAA").status_code == 404
    assert client.get("/api/orders/bad!id").status_code == 422
    path = "/api/orders/AAAAAAAAAAAA/take"
    assert client.post(path, headers=headers_for(student)).status_code == 404
    keyed = {**headers_for(student), "Idempotency-Key": "k"}
    assert client.post(path, headers=keyed).status_code == 404


def test_edit_and_delete_rules(client, make_user, post_order, fund):
    """May only the client edit/delete, only while untaken, never changing the city?"""
    owner, other = make_user(), make_user()
    order = post_order(owner)
    path = f"/api/orders/{order['id']}"
    assert (
        client.put(path, json={"description": "x"}, headers=headers_for(other)).status_code == 403
    )
    assert client.delete(path, headers=headers_for(other)).status_code == 403
    assert client.put(path, json={"city": "Kazan"}, headers=headers_for(owner)).status_code == 409
    edited = client.put(
        path,
        json={"description": "New text", "city": "Moscow", "category": "repair"},
        headers=headers_for(owner),
    )
    assert edited.status_code == 200
    assert edited.get_json()["description"] == "New text"
    assert edited.get_json()["category"] == "repair"
    assert (
        client.put(path, json={"category": "nope"}, headers=headers_for(owner)).status_code == 422
    )

    fund(other)
    assert client.post(f"{path}/take", headers=headers_for(other)).status_code == 201
    assert (
        client.put(path, json={"description": "y"}, headers=headers_for(owner)).status_code == 409
    )
    assert client.delete(path, headers=headers_for(owner)).status_code == 409

    fresh = post_order(owner)
    fresh_path = f"/api/orders/{fresh['id']}"
    assert client.delete(fresh_path, headers=headers_for(owner)).status_code == 204
    assert client.get(fresh_path).status_code == 404
    assert client.delete(fresh_path, headers=headers_for(owner)).status_code == 404


def test_expired_order_cannot_be_edited(app, client, student, post_order):
    """Is editing an order past its expiry (not yet swept) a 409?"""
    order = post_order(student)
    shift_order(app, order["id"], created_ago=timedelta(minutes=61))
    answer = client.put(
        f"/api/orders/{order['id']}", json={"description": "late"}, headers=headers_for(student)
    )
    assert answer.status_code == 409


def test_take_charges_and_shows_contact(app, client, make_user, post_order, fund):
    """Does a take cost 2 ₽, write its transaction and give the contact?"""
    owner, executor = make_user(), make_user()
    order = post_order(owner)
    fund(executor, 1000)
    answer = client.post(f"/api/orders/{order['id']}/take", headers=headers_for(executor))
    assert answer.status_code == 201
    body = answer.get_json()
    assert body["contact"] == order["contact"]
    assert body["price"] == {"amount": PRICE, "currency": "RUB"}
    assert body["balance_after"] == {"amount": 800, "currency": "RUB"}
    assert balance(app, executor) == 800
    history = client.get("/api/balance/transactions", headers=headers_for(executor)).get_json()
    assert [t["type"] for t in history["items"]] == ["order_take", "recharge"]
    assert history["items"][0]["amount"] == {"amount": -PRICE, "currency": "RUB"}


def test_taking_again_returns_the_first_result(app, client, make_user, post_order, fund):
    """Is a repeated take 200 with the same body and no second charge?"""
    owner, executor = make_user(), make_user()
    order = post_order(owner)
    fund(executor, 1000)
    path = f"/api/orders/{order['id']}/take"
    first = client.post(path, headers=headers_for(executor))
    again = client.post(path, headers=headers_for(executor))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert balance(app, executor) == 800
    assert client.get(f"/api/orders/{order['id']}").get_json()["takes_count"] == 1


def test_taking_again_a_full_order_still_returns_the_first_result(
    app, client, make_user, post_order, fund
):
    """Once an order has all its executors, is a repeat by one of them still their first
    take (200, no charge) while a newcomer is refused (409)? A repeat on a full order is
    looked up after the refusal, not before every take."""
    owner, newcomer = make_user(), make_user()
    executors = [make_user() for _ in range(3)]
    order = post_order(owner)
    path = f"/api/orders/{order['id']}/take"
    for executor in [*executors, newcomer]:
        fund(executor, 1000)
    first = [client.post(path, headers=headers_for(e)) for e in executors]
    assert [answer.status_code for answer in first] == [201, 201, 201]
    again = client.post(path, headers=headers_for(executors[0]))
    assert again.status_code == 200 and again.get_json() == first[0].get_json()
    assert client.post(path, headers=headers_for(newcomer)).status_code == 409
    assert [balance(app, e) for e in executors] == [800, 800, 800]
    assert balance(app, newcomer) == 1000


def test_idempotency_key_returns_the_first_result(app, client, make_user, post_order, fund):
    """Does a repeat with the same Idempotency-Key return the first take, and is the key
    refused for another order?"""
    owner, executor = make_user(), make_user()
    first_order, second_order = post_order(owner), post_order(owner)
    fund(executor, 1000)
    headers = {**headers_for(executor), "Idempotency-Key": "k-1"}
    first = client.post(f"/api/orders/{first_order['id']}/take", headers=headers)
    again = client.post(f"/api/orders/{first_order['id']}/take", headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    other = client.post(f"/api/orders/{second_order['id']}/take", headers=headers)
    assert other.status_code == 422
    assert balance(app, executor) == 800
    with app.app_context():
        assert db.session.query(IdempotencyKey).count() == 1
    too_long = {**headers_for(executor), "Idempotency-Key": "x" * 129}
    assert (
        client.post(f"/api/orders/{second_order['id']}/take", headers=too_long).status_code == 422
    )


def test_cannot_take_own_order(client, student, post_order, fund):
    """Can a client take their own order? (No: 403.)"""
    order = post_order(student)
    fund(student)
    answer = client.post(f"/api/orders/{order['id']}/take", headers=headers_for(student))
    assert answer.status_code == 403


def test_take_without_balance_is_402_and_changes_nothing(app, client, make_user, post_order, fund):
    """Is a take without enough balance a 402 that charges, counts and stores nothing?"""
    owner, poor, broke = make_user(), make_user(), make_user()
    order = post_order(owner)
    fund(poor, PRICE - 1)
    for executor in (poor, broke):
        answer = client.post(f"/api/orders/{order['id']}/take", headers=headers_for(executor))
        assert answer.status_code == 402
        assert answer.mimetype == "application/problem+json"
    assert balance(app, poor) == PRICE - 1
    assert client.get(f"/api/orders/{order['id']}").get_json()["takes_count"] == 0
    with app.app_context():
        assert db.session.query(Take).count() == 0


def test_at_most_three_takes(app, client, make_user, post_order, fund):
    """Is the fourth executor refused with 409 and not charged?"""
    owner = make_user()
    order = post_order(owner)
    executors = [make_user() for _ in range(4)]
    for executor in executors:
        fund(executor, 1000)
    codes = [
        client.post(f"/api/orders/{order['id']}/take", headers=headers_for(e)).status_code
        for e in executors
    ]
    assert codes == [201, 201, 201, 409]
    assert balance(app, executors[3]) == 1000


def test_cannot_take_expired_or_closed_order(app, client, make_user, post_order, fund):
    """Are an order past its expiry and a deleted one refused (409, 404)?"""
    owner, executor = make_user(), make_user()
    fund(executor, 1000)
    late = post_order(owner)
    shift_order(app, late["id"], created_ago=timedelta(minutes=61))
    assert (
        client.post(f"/api/orders/{late['id']}/take", headers=headers_for(executor)).status_code
        == 409
    )
    gone = post_order(owner)
    client.delete(f"/api/orders/{gone['id']}", headers=headers_for(owner))
    assert (
        client.post(f"/api/orders/{gone['id']}/take", headers=headers_for(executor)).status_code
        == 404
    )
    done = post_order(owner)
    from webapp.market.models import OrderStatus

    shift_order(app, done["id"], status=OrderStatus.EXPIRED)
    assert (
        client.post(f"/api/orders/{done['id']}/take", headers=headers_for(executor)).status_code
        == 409
    )
    assert balance(app, executor) == 1000


def test_respond_rules(app, client, make_user, post_order, fund):
    """May only the client respond, only after a take and within 15 minutes?"""
    owner, executor = make_user(), make_user()
    fund(executor, 1000)
    order = post_order(owner)
    path = f"/api/orders/{order['id']}"
    assert client.post(f"{path}/respond", headers=headers_for(owner)).status_code == 409
    client.post(f"{path}/take", headers=headers_for(executor))
    assert client.post(f"{path}/respond", headers=headers_for(executor)).status_code == 403
    answered = client.post(f"{path}/respond", headers=headers_for(owner))
    assert answered.status_code == 200 and answered.get_json()["respond_by"] is None
    assert client.post(f"{path}/respond", headers=headers_for(owner)).status_code == 200

    late = post_order(owner)
    client.post(f"/api/orders/{late['id']}/take", headers=headers_for(executor))
    from tests.market.conftest import now_plus

    shift_order(app, late["id"], first_taken_at=now_plus(minutes=-16))
    assert (
        client.post(f"/api/orders/{late['id']}/respond", headers=headers_for(owner)).status_code
        == 409
    )


def test_complete_rules(client, make_user, post_order, fund):
    """Does completing need the client and an executor who took the order?"""
    owner, executor, outsider = make_user(), make_user(), make_user()
    fund(executor, 1000)
    order = post_order(owner)
    path = f"/api/orders/{order['id']}"
    client.post(f"{path}/take", headers=headers_for(executor))
    body = {"executor_id": executor.id}
    assert (
        client.post(f"{path}/complete", json=body, headers=headers_for(executor)).status_code == 403
    )
    bad = client.post(
        f"{path}/complete", json={"executor_id": outsider.id}, headers=headers_for(owner)
    )
    assert bad.status_code == 422
    done = client.post(f"{path}/complete", json=body, headers=headers_for(owner))
    assert done.status_code == 200 and done.get_json()["status"] == "completed"
    assert client.post(f"{path}/complete", json=body, headers=headers_for(owner)).status_code == 409
    me = client.get("/api/users/me", headers=headers_for(executor)).get_json()
    assert me["market"]["completed_orders"] == 1


def test_complete_after_missed_response_is_409(app, client, make_user, post_order, fund):
    """Can a client who let the response window pass still complete? (No: 409.)"""
    from tests.market.conftest import now_plus

    owner, executor = make_user(), make_user()
    fund(executor, 1000)
    order = post_order(owner)
    client.post(f"/api/orders/{order['id']}/take", headers=headers_for(executor))
    shift_order(app, order["id"], first_taken_at=now_plus(minutes=-16))
    answer = client.post(
        f"/api/orders/{order['id']}/complete",
        json={"executor_id": executor.id},
        headers=headers_for(owner),
    )
    assert answer.status_code == 409


def test_my_orders_as_client_and_executor(client, make_user, post_order, fund):
    """Does /api/orders/mine list posted orders for role=client and taken ones for executor?"""
    owner, executor = make_user(), make_user()
    fund(executor, 1000)
    posted = post_order(owner)
    post_order(executor)
    client.post(f"/api/orders/{posted['id']}/take", headers=headers_for(executor))
    mine = client.get("/api/orders/mine?role=client", headers=headers_for(owner)).get_json()
    assert [o["id"] for o in mine["items"]] == [posted["id"]]
    taken = client.get("/api/orders/mine?role=executor", headers=headers_for(executor)).get_json()
    assert [o["id"] for o in taken["items"]] == [posted["id"]]
    assert taken["items"][0]["contact"] == posted["contact"]
    assert client.get("/api/orders/mine?role=boss", headers=headers_for(owner)).status_code == 422
    assert client.get("/api/orders/mine").status_code == 401


def test_every_take_has_exactly_one_charge(app, client, make_user, post_order, fund):
    """Is every take matched by exactly one order_take transaction of its price?"""
    owner = make_user()
    executors = [make_user() for _ in range(3)]
    order = post_order(owner)
    for executor in executors:
        fund(executor, 1000)
        client.post(f"/api/orders/{order['id']}/take", headers=headers_for(executor))
    with app.app_context():
        takes = db.session.query(Take).all()
        charges = db.session.query(BalanceTransaction).filter_by(type="order_take").all()
        assert sorted(f"take:{t.id}" for t in takes) == sorted(c.reference for c in charges)
        assert all(c.amount == -PRICE for c in charges)


def test_creating_is_free(app, client, student, post_order, fund):
    """Does posting an order leave the client's balance and history untouched?"""
    fund(student, 500)
    post_order(student)
    assert balance(app, student) == 500
    with app.app_context():
        assert db.session.query(BalanceTransaction).filter_by(user_id=student.id).count() == 1


def test_take_price_is_configurable(schema, make_user, fund):
    """Does MARKET_TAKE_PRICE set what a take costs (and what /api/config says)?"""
    from tests.fixtures.app import build_app
    from webapp.market import money

    app = build_app(schema, environ={"MARKET_TAKE_PRICE": "350"})
    client = app.test_client()
    assert client.get("/api/config").get_json()["take_price"]["amount"] == 350
    owner, executor = make_user(), make_user()
    fund(executor, 1000)
    order = client.post("/api/orders", json=ORDER, headers=headers_for(owner)).get_json()
    answer = client.post(f"/api/orders/{order['id']}/take", headers=headers_for(executor))
    assert answer.get_json()["price"]["amount"] == 350
    with app.app_context():
        assert money.balance_of(executor.id) == 650
        db.session.remove()
        db.engine.dispose()


def test_market_settings_are_checked():
    """Is a malformed market setting refused at start-up?"""
    from webapp.config import ConfigError
    from webapp.market.config import market_config

    assert market_config({})["MARKET_MAX_TAKES"] == 3
    assert market_config({"MARKET_CITIES": "A, B"})["MARKET_CITIES"] == ["A", "B"]
    with pytest.raises(ConfigError, match="MARKET_TAKE_PRICE"):
        market_config({"MARKET_TAKE_PRICE": "two"})
    with pytest.raises(ConfigError, match="MARKET_MAX_TAKES"):
        market_config({"MARKET_MAX_TAKES": "0"})


def test_feed_pages_by_cursor(client, make_user, post_order):
    """Does following the feed's `next` give every order once, newest first, within its
    filters, with `next` null on the last page?"""
    clients = [make_user() for _ in range(3)]  # at most MARKET_ORDERS_PER_HOUR each
    for index in range(7):
        post_order(clients[index % 3], city="Kazan" if index % 2 else "Moscow")
    everything = client.get("/api/orders?limit=100").get_json()["items"]
    seen, after = [], None
    while True:
        query = {"limit": 2, **({"after": after} if after else {})}
        body = client.get("/api/orders", query_string=query).get_json()
        seen += [item["id"] for item in body["items"]]
        after = body["next"]
        if after is None:
            break
    assert seen == [item["id"] for item in everything] and len(seen) == 7
    kazan = client.get("/api/orders", query_string={"city": "Kazan", "limit": 2}).get_json()
    more = client.get(
        "/api/orders", query_string={"city": "Kazan", "limit": 2, "after": kazan["next"]}
    ).get_json()
    assert {o["city"] for o in kazan["items"] + more["items"]} == {"Kazan"}
    assert kazan["total"] == 3 and more["next"] is None


def test_the_405_of_my_orders_advertises_only_its_own_methods(client):
    """Does `POST /api/orders/mine` answer 405 with `Allow` naming only GET (not the PUT and
    DELETE of an order whose id would be "mine")?"""
    answer = client.post("/api/orders/mine")
    assert answer.status_code == 405
    assert set(answer.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_lists_answer_each_order_as_its_own_answer_does(client, make_user, post_order, fund):
    """Is each item of the feed and of "my orders" (built straight to JSON, one query for
    the viewer's takes) exactly what `GET /api/orders/<id>` answers the same viewer, but for
    `takes` (only in an order's own answer): a fresh order, one taken and responded to, one
    taken by the viewer and one posted by them, one taken and waiting for the response?"""
    owner, executor = make_user(), make_user()
    fund(executor, 1000)
    fresh = post_order(owner)
    taken = post_order(owner)
    own = post_order(executor)
    took = client.post(f"/api/orders/{taken['id']}/take", headers=headers_for(executor))
    assert took.status_code == 201, took.get_json()
    responded = client.post(f"/api/orders/{taken['id']}/respond", headers=headers_for(owner))
    assert responded.status_code == 200, responded.get_json()
    waiting = make_user()
    fund(waiting, 1000)
    took = client.post(f"/api/orders/{fresh['id']}/take", headers=headers_for(waiting))
    assert took.status_code == 201, took.get_json()

    def same_as_own_answers(path: str, viewer: User | None, expected: set[str]) -> None:
        headers = headers_for(viewer) if viewer is not None else {}
        listed = client.get(path, headers=headers).get_json()["items"]
        assert {item["id"] for item in listed} == expected
        for item in listed:
            own_answer = client.get(f"/api/orders/{item['id']}", headers=headers).get_json()
            assert item["takes"] is None
            assert item == {**own_answer, "takes": None}

    everyone = {fresh["id"], taken["id"], own["id"]}
    same_as_own_answers("/api/orders", None, everyone)
    same_as_own_answers("/api/orders/mine?role=client", owner, {fresh["id"], taken["id"]})
    same_as_own_answers("/api/orders/mine?role=executor", executor, {taken["id"]})
    taken_view = client.get("/api/orders/mine?role=executor", headers=headers_for(executor))
    item = taken_view.get_json()["items"][0]
    assert item["taken_by_me"] is True and item["contact"] == taken["contact"]
    assert item["responded_at"] is not None and item["respond_by"] is None
    waited = client.get("/api/orders/mine?role=executor", headers=headers_for(waiting))
    item = waited.get_json()["items"][0]
    assert item["respond_by"] is not None and item["responded_at"] is None
    same_as_own_answers("/api/orders/mine?role=executor", waiting, {fresh["id"]})
