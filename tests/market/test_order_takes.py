"""Who took my order: `GET /api/orders/<id>` names the executors for the client (with
rating and completed orders), an executor sees only their own take, anyone else none; the
order page lists them with a link to write to each."""

from __future__ import annotations

import pytest
from sqlalchemy import event as sa_event

from tests.fixtures.users import headers_for
from webapp.extensions import db


def take(client, user, order_id):
    answer = client.post(f"/api/orders/{order_id}/take", headers=headers_for(user))
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


@pytest.fixture
def taken_twice(client, make_user, post_order, fund):
    """An order by `owner` taken by two executors; returns (owner, [first, second], order)."""
    owner = make_user()
    first = make_user(first_name="Ivan", last_name="Petrov", username="ivanp")
    second = make_user(first_name="Olga")
    for executor in (first, second):
        fund(executor, 1000)
    order = post_order(owner)
    for executor in (first, second):
        take(client, executor, order["id"])
    return owner, [first, second], order


def test_client_sees_every_take_with_rating_and_completed_orders(
    client, make_user, post_order, fund, taken_twice
):
    """Does the client see who took the order, first taker first, with each executor's id,
    name, username, rating, completed orders and the time of the take?"""
    owner, (first, second), order = taken_twice
    # Give Ivan a history: an earlier order he completed and was rated 4 for.
    other_client = make_user()
    earlier = post_order(other_client)
    take(client, first, earlier["id"])
    headers = headers_for(other_client)
    done = {"executor_id": first.id}
    completed = client.post(f"/api/orders/{earlier['id']}/complete", json=done, headers=headers)
    assert completed.status_code == 200
    rating = {"order_id": earlier["id"], "executor_id": first.id, "rating": 4, "text": ""}
    assert client.post("/api/reviews/client", json=rating, headers=headers).status_code == 201

    body = client.get(f"/api/orders/{order['id']}", headers=headers_for(owner)).get_json()

    takes = body["takes"]
    assert [t["executor"]["id"] for t in takes] == [first.id, second.id]
    assert takes[0]["executor"] == {
        "id": first.id,
        "name": "Ivan Petrov",
        "username": "ivanp",
        "rating": 4.0,
        "completed_orders": 1,
    }
    assert takes[1]["executor"]["rating"] is None
    assert takes[1]["executor"]["completed_orders"] == 0
    assert all(t["taken_at"] for t in takes)
    assert body["responded_at"] is None


def test_responded_at_is_shown_after_the_response(client, taken_twice):
    """Does `responded_at` appear for the client and an executor once the client responds?"""
    owner, (first, _), order = taken_twice
    answer = client.post(f"/api/orders/{order['id']}/respond", headers=headers_for(owner))
    assert answer.status_code == 200 and answer.get_json()["responded_at"]
    seen = client.get(f"/api/orders/{order['id']}", headers=headers_for(first)).get_json()
    assert seen["responded_at"] == answer.get_json()["responded_at"]


def test_an_executor_sees_only_their_own_take(client, taken_twice):
    """Does an executor who took the order see their own take and no other executor?"""
    _, (_first, second), order = taken_twice
    body = client.get(f"/api/orders/{order['id']}", headers=headers_for(second)).get_json()
    assert [t["executor"]["id"] for t in body["takes"]] == [second.id]


def test_others_see_no_takes(client, make_user, taken_twice):
    """Do a stranger and an anonymous caller see no takes and no response time?"""
    _, _, order = taken_twice
    stranger = client.get(f"/api/orders/{order['id']}", headers=headers_for(make_user()))
    anonymous = client.get(f"/api/orders/{order['id']}")
    for answer in (stranger, anonymous):
        assert answer.get_json()["takes"] == []
        assert answer.get_json()["responded_at"] is None


def test_lists_carry_no_takes(client, taken_twice):
    """Do the lists (`/api/orders/mine`) leave `takes` out (null) rather than claim none?"""
    owner, _, _ = taken_twice
    mine = client.get("/api/orders/mine", headers=headers_for(owner)).get_json()
    assert mine["items"][0]["takes"] is None


def test_takes_cost_the_same_queries_however_many(app, client, make_user, post_order, fund):
    """Is the list of takes read in one statement (no query per executor): one take and
    three takes cost the client's GET the same number of queries?"""
    owner = make_user()
    executors = [make_user() for _ in range(3)]
    for executor in executors:
        fund(executor, 1000)
    one, three = post_order(owner), post_order(owner)
    take(client, executors[0], one["id"])
    for executor in executors:
        take(client, executor, three["id"])

    def count_queries(order_id: str) -> int:
        seen: list[str] = []

        def record(*args):
            seen.append(args[2])

        with app.app_context():
            engine = db.engine
        sa_event.listen(engine, "before_cursor_execute", record)
        try:
            answer = client.get(f"/api/orders/{order_id}", headers=headers_for(owner))
        finally:
            sa_event.remove(engine, "before_cursor_execute", record)
        assert answer.status_code == 200
        return len(seen)

    assert count_queries(one["id"]) == count_queries(three["id"])


def test_order_page_lists_executors_with_a_link_to_write(client, taken_twice):
    """Does the client's order page name each executor with a tg://user?id= link, while an
    executor's page names nobody else?"""
    owner, (first, second), order = taken_twice
    page = client.get(f"/orders/{order['id']}", headers=headers_for(owner)).get_data(as_text=True)
    assert "Ivan Petrov" in page and "@ivanp" in page
    assert f'href="tg://user?id={first.telegram_id}"' in page
    assert f'href="tg://user?id={second.telegram_id}"' in page
    theirs = client.get(f"/orders/{order['id']}", headers=headers_for(second))
    assert "Ivan Petrov" not in theirs.get_data(as_text=True)
