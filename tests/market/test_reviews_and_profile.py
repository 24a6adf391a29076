"""Reviews, complaints, the public review list, preferences and the market part of
`GET /api/users/me`."""

from __future__ import annotations

import pytest

from tests.fixtures.users import headers_for


@pytest.fixture
def taken_order(client, make_user, post_order, fund):
    """An order by `owner` taken by `executor`; returns (owner, executor, order id)."""
    owner, executor = make_user(), make_user()
    fund(executor, 1000)
    order = post_order(owner)
    answer = client.post(f"/api/orders/{order['id']}/take", headers=headers_for(executor))
    assert answer.status_code == 201
    return owner, executor, order["id"]


def review(client, user, order_id, executor_id, rating=5, text="Great"):
    body = {"order_id": order_id, "executor_id": executor_id, "rating": rating, "text": text}
    return client.post("/api/reviews/client", json=body, headers=headers_for(user))


def test_client_reviews_an_executor_once(client, taken_order, make_user):
    """May the client review an executor who took the order, once, and nobody else?"""
    owner, executor, order_id = taken_order
    stranger = make_user()
    assert review(client, stranger, order_id, executor.id).status_code == 403
    assert review(client, owner, order_id, stranger.id).status_code == 422
    assert review(client, owner, order_id, executor.id, rating=6).status_code == 422
    assert review(client, owner, order_id, executor.id, rating=0).status_code == 422
    first = review(client, owner, order_id, executor.id, rating=4)
    assert first.status_code == 201 and first.get_json()["rating"] == 4
    assert review(client, owner, order_id, executor.id).status_code == 409
    assert review(client, owner, "AAAAAAAAAAAA", executor.id).status_code == 404


def test_average_rating_follows_reviews(client, make_user, post_order, fund):
    """Does the executor's average rating in /api/users/me follow the reviews?"""
    executor = make_user()
    fund(executor, 1000)
    for rating in (5, 4):
        owner = make_user()
        order = post_order(owner)
        client.post(f"/api/orders/{order['id']}/take", headers=headers_for(executor))
        assert review(client, owner, order["id"], executor.id, rating=rating).status_code == 201
    market = client.get("/api/users/me", headers=headers_for(executor)).get_json()["market"]
    assert market["average_rating"] == 4.5 and market["reviews_count"] == 2


def test_reviews_list_is_public_and_filtered(client, taken_order, make_user, post_order):
    """Is GET /api/reviews public, filtered by rating and executor?"""
    owner, executor, order_id = taken_order
    review(client, owner, order_id, executor.id, rating=3, text="ok")
    everything = client.get("/api/reviews").get_json()
    assert everything["total"] == 1 and everything["items"][0]["text"] == "ok"
    assert client.get("/api/reviews?rating=5").get_json()["total"] == 0
    assert client.get(f"/api/reviews?executor_id={executor.id}").get_json()["total"] == 1
    assert client.get(f"/api/reviews?executor_id={owner.id}").get_json()["total"] == 0
    assert client.get("/api/reviews?rating=9").status_code == 422


def test_executor_complains_once(client, taken_order, make_user):
    """May only an executor who took the order complain, once per order?"""
    owner, executor, order_id = taken_order
    body = {"order_id": order_id, "reason": "no_response", "text": "Silent"}
    assert (
        client.post("/api/reviews/executor", json=body, headers=headers_for(owner)).status_code
        == 403
    )
    first = client.post("/api/reviews/executor", json=body, headers=headers_for(executor))
    assert first.status_code == 201 and first.get_json()["reason"] == "no_response"
    again = client.post("/api/reviews/executor", json=body, headers=headers_for(executor))
    assert again.status_code == 409
    bad = {**body, "reason": "boredom"}
    assert (
        client.post("/api/reviews/executor", json=bad, headers=headers_for(executor)).status_code
        == 422
    )


def test_me_shows_market_profile(client, student, fund):
    """Does /api/users/me keep its fields and add balance, completed orders, rating and
    preferences?"""
    fund(student, 700)
    me = client.get("/api/users/me", headers=headers_for(student)).get_json()
    assert me["id"] == student.id and me["role"] == "student"
    assert me["market"] == {
        "balance": {"amount": 700, "currency": "RUB"},
        "completed_orders": 0,
        "average_rating": None,
        "reviews_count": 0,
        "preferences": {
            "categories": [],
            "cities": [],
            "city_ids": [],
            "frequency": "instant",
        },
    }


def test_preferences_are_validated_and_saved(client, student):
    """Are unknown categories/cities a 422, and valid ones saved without duplicates?"""
    headers = headers_for(student)
    bad = client.put("/api/users/me/preferences", json={"categories": ["piano"]}, headers=headers)
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "categories"
    good = client.put(
        "/api/users/me/preferences",
        json={"categories": ["repair", "courier", "repair"], "cities": ["Kazan"]},
        headers=headers,
    )
    assert good.status_code == 200
    assert good.get_json()["categories"] == ["courier", "repair"]
    freq = client.put(
        "/api/users/me/notification-settings", json={"frequency": "daily"}, headers=headers
    )
    assert freq.get_json()["frequency"] == "daily"
    wrong = client.put(
        "/api/users/me/notification-settings", json={"frequency": "weekly"}, headers=headers
    )
    assert wrong.status_code == 422
    prefs = client.get("/api/users/me", headers=headers).get_json()["market"]["preferences"]
    assert prefs == {
        "categories": ["courier", "repair"],
        "cities": ["Kazan"],
        "city_ids": [551487],
        "frequency": "daily",
    }
