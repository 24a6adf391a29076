"""Double taps: a repeated Idempotency-Key runs its request once."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from tests.fixtures.users import headers_for
from webapp.extensions import db
from webapp.tasks.models import Task

HX = {"HX-Request": "true"}


def task_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Task))


def test_a_double_tapped_add_creates_one_task(client, app, student):
    """Does a second "Add" with the same key create nothing and leave the page alone?"""
    headers = {**headers_for(student), **HX, "Idempotency-Key": uuid.uuid4().hex}
    first = client.post("/tasks", data={"title": "Milk"}, headers=headers)
    second = client.post("/tasks", data={"title": "Milk"}, headers=headers)
    assert first.status_code == 200
    assert second.status_code == 204 and second.headers["HX-Reswap"] == "none"
    assert task_count(app) == 1


def test_a_new_key_is_a_new_action(client, app, student):
    """Does the next add (a new key) create the next task?"""
    for _ in range(2):
        headers = {**headers_for(student), **HX, "Idempotency-Key": uuid.uuid4().hex}
        assert client.post("/tasks", data={"title": "Milk"}, headers=headers).status_code == 200
    assert task_count(app) == 2


def test_the_api_keeps_its_own_meaning_of_the_key(client, app, student, make_user):
    """Does a repeated key on the JSON API reach the endpoint (a market take replays its
    first answer rather than being refused)?"""
    poster = make_user()
    order = client.post(
        "/api/orders",
        json={"category": "courier", "city": "Moscow", "description": "A parcel", "contact": "@a"},
        headers=headers_for(poster),
    ).get_json()
    from webapp.market import money
    from webapp.market.models import TransactionType

    with app.app_context():
        money.credit(student.id, 10_000, TransactionType.RECHARGE, "test:idempotency")
        db.session.commit()
    headers = {**headers_for(student), "Idempotency-Key": uuid.uuid4().hex}
    first = client.post(f"/api/orders/{order['id']}/take", headers=headers)
    again = client.post(f"/api/orders/{order['id']}/take", headers=headers)
    assert first.status_code in (200, 201) and again.status_code in (200, 201)
    assert again.get_json() == first.get_json()


def test_the_same_key_on_another_url_is_another_action(client, app, student):
    """Is a key bound to its URL (an element's key never blocks a different action)?"""
    key = uuid.uuid4().hex
    headers = {**headers_for(student), **HX, "Idempotency-Key": key}
    assert client.post("/tasks", data={"title": "Milk"}, headers=headers).status_code == 200
    with app.app_context():
        task_id = db.session.scalars(sa.select(Task.id)).one()
    done = client.post(f"/tasks/{task_id}/done", data={"done": "true"}, headers=headers)
    assert done.status_code == 200
