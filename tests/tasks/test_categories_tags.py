"""Categories and tags on tasks: the user's own categories, tags with counts, and the
filters `category`, `tag` (all must match) and `due`."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from tests.fixtures.users import headers_for
from tests.tasks.conftest import add_task


def add_category(client, headers, name="Work", color="#FF0000"):
    answer = client.post(
        "/api/tasks/categories", json={"name": name, "color": color}, headers=headers
    )
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def ids(client, headers, query):
    body = client.get(f"/api/tasks?{query}", headers=headers).get_json()
    assert body["total"] == len(body["items"])
    return {item["id"] for item in body["items"]}


def test_category_lifecycle(client, me):
    """Can I add, list (by name), rename/recolour and delete my categories?"""
    work = add_category(client, me, " Work ", "#FF0000")
    assert work["name"] == "Work" and work["color"] == "#ff0000"
    add_category(client, me, "Home", "#00ff00")
    listed = client.get("/api/tasks/categories", headers=me).get_json()["items"]
    assert [c["name"] for c in listed] == ["Home", "Work"]
    renamed = client.put(
        f"/api/tasks/categories/{work['id']}", json={"name": "Job", "color": "#0000ff"}, headers=me
    )
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "Job"
    assert client.delete(f"/api/tasks/categories/{work['id']}", headers=me).status_code == 204
    listed = client.get("/api/tasks/categories", headers=me).get_json()["items"]
    assert [c["name"] for c in listed] == ["Home"]


def test_category_name_is_unique_per_user(client, me, make_user):
    """Is a second category of mine with the same name a 409, while another user may
    use that name?"""
    first = add_category(client, me, "Work")
    again = client.post("/api/tasks/categories", json={"name": "Work"}, headers=me)
    assert again.status_code == 409 and again.get_json()["errors"][0]["field"] == "name"
    other = add_category(client, me, "Other")
    clash = client.put(f"/api/tasks/categories/{other['id']}", json={"name": "Work"}, headers=me)
    assert clash.status_code == 409
    add_category(client, headers_for(make_user()), "Work")
    assert first["id"]


@pytest.mark.parametrize(
    "body",
    [{"name": ""}, {"name": "x" * 51}, {"name": "ok", "color": "red"}, {"name": "ok", "x": 1}],
)
def test_bad_categories_are_422(client, me, body):
    """Are an empty/long name, a colour that is not #rrggbb and an unknown field 422?"""
    assert client.post("/api/tasks/categories", json=body, headers=me).status_code == 422


def test_someone_elses_category(client, me, make_user):
    """Is someone else's category 404 to change or delete, 422 to put a task in, and
    absent from my list?"""
    theirs = add_category(client, headers_for(make_user()), "Secret")
    url = f"/api/tasks/categories/{theirs['id']}"
    assert client.put(url, json={"name": "x"}, headers=me).status_code == 404
    assert client.delete(url, headers=me).status_code == 404
    refused = client.post("/api/tasks", json={"title": "t", "category": theirs["id"]}, headers=me)
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["field"] == "category"
    task = add_task(client, me)
    patched = client.patch(f"/api/tasks/{task['id']}", json={"category": theirs["id"]}, headers=me)
    assert patched.status_code == 422
    assert client.get("/api/tasks/categories", headers=me).get_json()["items"] == []


def test_task_carries_category_and_deleting_it_keeps_tasks(client, me):
    """Does a task carry its category id, lose it on PATCH null, and survive the category's
    deletion without one?"""
    work = add_category(client, me)
    task = add_task(client, me, category=work["id"])
    assert task["category"] == work["id"]
    cleared = client.patch(f"/api/tasks/{task['id']}", json={"category": None}, headers=me)
    assert cleared.get_json()["category"] is None
    other = add_task(client, me, category=work["id"])
    client.delete(f"/api/tasks/categories/{work['id']}", headers=me)
    kept = client.get(f"/api/tasks/{other['id']}", headers=me)
    assert kept.status_code == 200 and kept.get_json()["category"] is None


def test_tags_are_normalised_and_replaced(client, me):
    """Are tags trimmed, lower-cased, without `#`, each once; does PATCH replace them
    (keeping, dropping and adding in one go)?"""
    task = add_task(client, me, tags=[" Work ", "#home", "work", "Big  Plan"])
    assert task["tags"] == ["big plan", "home", "work"]
    patched = client.patch(f"/api/tasks/{task['id']}", json={"tags": ["home", "new"]}, headers=me)
    assert patched.get_json()["tags"] == ["home", "new"]
    again = client.patch(f"/api/tasks/{task['id']}", json={"tags": ["work"]}, headers=me)
    assert again.get_json()["tags"] == ["work"]
    refused = client.patch(f"/api/tasks/{task['id']}", json={"tags": None}, headers=me)
    assert refused.status_code == 422


def test_tag_counts_are_mine(client, me, make_user):
    """Does GET /api/tasks/tags list my tags with counts, most used first, and nobody
    else's?"""
    add_task(client, me, tags=["work", "home"])
    add_task(client, me, tags=["work"])
    add_task(client, headers_for(make_user()), tags=["work", "secret"])
    body = client.get("/api/tasks/tags", headers=me).get_json()
    assert body["items"] == [{"tag": "work", "count": 2}, {"tag": "home", "count": 1}]


def test_filter_by_category_and_tags(client, me, make_user):
    """Do `category` and repeated `tag` filter (every tag must match)?"""
    work = add_category(client, me)
    both = add_task(client, me, tags=["a", "b"], category=work["id"])
    only_a = add_task(client, me, tags=["a"])
    add_task(client, me, tags=["b"])
    add_task(client, headers_for(make_user()), tags=["a", "b"])
    assert ids(client, me, "tag=a") == {both["id"], only_a["id"]}
    assert ids(client, me, "tag=a&tag=b") == {both["id"]}
    assert ids(client, me, "tag=A&tag=%23b") == {both["id"]}
    assert ids(client, me, f"category={work['id']}") == {both["id"]}
    assert ids(client, me, f"category={work['id']}&tag=b&tag=a") == {both["id"]}
    assert ids(client, me, "tag=nothing") == set()


def test_filter_by_due(client, me):
    """Do `due=today|overdue|week|none` pick tasks due today, past and open, within the
    next seven days, and without a date?"""
    today = datetime.combine(datetime.now(UTC).date(), time(), tzinfo=UTC)

    def due(delta):
        return (today + delta).isoformat()

    yesterday = add_task(client, me, due_at=due(timedelta(hours=-1)))
    add_task(client, me, due_at=due(timedelta(hours=-1)), done=True)
    early_today = add_task(client, me, due_at=due(timedelta(seconds=1)))
    in_three_days = add_task(client, me, due_at=due(timedelta(days=3)))
    add_task(client, me, due_at=due(timedelta(days=10)))
    undated = add_task(client, me)
    assert ids(client, me, "due=today") == {early_today["id"]}
    assert ids(client, me, "due=overdue") == {yesterday["id"], early_today["id"]}
    assert ids(client, me, "due=week") == {early_today["id"], in_three_days["id"]}
    assert ids(client, me, "due=none") == {undated["id"]}


@pytest.mark.parametrize("query", ["due=soon", "category=0", "category=x", "tag=" + "x" * 33])
def test_bad_filters_are_422(client, me, query):
    """Are an unknown `due`, a bad category id and an over-long tag 422?"""
    assert client.get(f"/api/tasks?{query}", headers=me).status_code == 422


def test_tags_and_categories_need_sign_in(client):
    """Are the tag and category endpoints closed to anonymous callers?"""
    assert client.get("/api/tasks/tags").status_code == 401
    assert client.get("/api/tasks/categories").status_code == 401
    assert client.post("/api/tasks/categories", json={"name": "x"}).status_code == 401
