"""A checklist inside a task (at most 50 items, ticked from the list) and bulk actions."""

from __future__ import annotations

import pytest

from tests.fixtures.users import headers_for
from tests.tasks.conftest import add_task


def get(client, headers, task_id):
    return client.get(f"/api/tasks/{task_id}", headers=headers)


def test_checklist_is_stored_and_listed(client, me):
    """Does a task keep its checklist (text trimmed, done defaulting to false), show it in
    the list, and does PATCH replace it?"""
    task = add_task(client, me, items=[{"text": " milk "}, {"text": "bread", "done": True}])
    assert task["items"] == [{"text": "milk", "done": False}, {"text": "bread", "done": True}]
    listed = client.get("/api/tasks", headers=me).get_json()["items"][0]
    assert listed["items"] == task["items"]
    patched = client.patch(
        f"/api/tasks/{task['id']}", json={"items": [{"text": "eggs"}]}, headers=me
    ).get_json()
    assert patched["items"] == [{"text": "eggs", "done": False}]
    assert add_task(client, me)["items"] == []


@pytest.mark.parametrize(
    "items",
    [
        [{"text": f"i{n}"} for n in range(51)],
        [{"text": ""}],
        [{"text": "x" * 201}],
        [{"text": "ok", "extra": 1}],
        [{"done": True}],
        None,
    ],
)
def test_bad_checklists_are_422(client, me, items):
    """Are more than 50 items, an empty or long text, an unknown field, a missing text and
    a null checklist refused?"""
    task = add_task(client, me)
    answer = client.patch(f"/api/tasks/{task['id']}", json={"items": items}, headers=me)
    assert answer.status_code == 422


def test_fifty_items_are_allowed(client, me):
    """Is a checklist of exactly 50 items accepted?"""
    assert len(add_task(client, me, items=[{"text": f"i{n}"} for n in range(50)])["items"]) == 50


def test_tick_one_item(client, me, make_user):
    """Does ticking one item change only it; is an item past the end 404, and is someone
    else's task 404?"""
    task = add_task(client, me, items=[{"text": "a"}, {"text": "b"}])
    url = f"/api/tasks/{task['id']}/items"
    ticked = client.post(f"{url}/1", json={"done": True}, headers=me)
    assert ticked.status_code == 200
    assert ticked.get_json()["items"] == [{"text": "a", "done": False}, {"text": "b", "done": True}]
    untick = client.post(f"{url}/1", json={"done": False}, headers=me).get_json()
    assert untick["items"][1]["done"] is False
    assert client.post(f"{url}/2", json={"done": True}, headers=me).status_code == 404
    other = headers_for(make_user())
    assert client.post(f"{url}/0", json={"done": True}, headers=other).status_code == 404
    assert client.post(f"{url}/0", json={"done": "yes"}, headers=me).status_code == 422


def test_bulk_done_undone_and_delete(client, me, make_user):
    """Do bulk done/undone/delete change exactly my listed tasks, leaving others' alone and
    reporting what changed?"""
    a, b, c = (add_task(client, me, tags=["x"])["id"] for _ in range(3))
    theirs = add_task(client, headers_for(make_user()))["id"]
    done = client.post(
        "/api/tasks/bulk", json={"ids": [a, b, theirs], "action": "done"}, headers=me
    )
    assert done.status_code == 200 and done.get_json() == {"ids": [a, b]}
    states = {t: get(client, me, t).get_json()["done"] for t in (a, b, c)}
    assert states == {a: True, b: True, c: False}
    client.post("/api/tasks/bulk", json={"ids": [b], "action": "undone"}, headers=me)
    assert get(client, me, b).get_json()["done"] is False
    gone = client.post(
        "/api/tasks/bulk", json={"ids": [a, c, theirs], "action": "delete"}, headers=me
    )
    assert gone.get_json() == {"ids": [a, c]}
    assert get(client, me, a).status_code == 404 and get(client, me, b).status_code == 200
    assert client.get("/api/tasks/tags", headers=me).get_json()["items"] == [
        {"tag": "x", "count": 1}
    ]
    other = headers_for(make_user())  # a fresh user sees nothing; theirs survives
    assert client.get("/api/tasks", headers=other).get_json()["total"] == 0


def test_bulk_move_to_category(client, me, make_user):
    """Does move_to_category put my tasks into my category, take them out with null, and
    refuse someone else's category (422)?"""
    category = client.post("/api/tasks/categories", json={"name": "Work"}, headers=me)
    category_id = category.get_json()["id"]
    a, b = add_task(client, me)["id"], add_task(client, me)["id"]
    body = {"ids": [a, b], "action": "move_to_category", "category_id": category_id}
    assert client.post("/api/tasks/bulk", json=body, headers=me).status_code == 200
    assert get(client, me, a).get_json()["category"] == category_id
    body["category_id"] = None
    client.post("/api/tasks/bulk", json=body, headers=me)
    assert get(client, me, b).get_json()["category"] is None
    theirs = client.post(
        "/api/tasks/categories", json={"name": "Secret"}, headers=headers_for(make_user())
    ).get_json()["id"]
    body["category_id"] = theirs
    refused = client.post("/api/tasks/bulk", json=body, headers=me)
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["field"] == "category_id"


@pytest.mark.parametrize(
    "body",
    [
        {"ids": [], "action": "done"},
        {"ids": [1], "action": "archive"},
        {"ids": [1]},
        {"ids": [0], "action": "done"},
        {"ids": list(range(1, 202)), "action": "done"},
        {"ids": [1], "action": "done", "extra": True},
    ],
)
def test_bad_bulk_bodies_are_422(client, me, body):
    """Are no ids, an unknown or missing action, a bad id, too many ids and an unknown
    field 422?"""
    assert client.post("/api/tasks/bulk", json=body, headers=me).status_code == 422
