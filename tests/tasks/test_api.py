"""Tasks over HTTP: ownership, validation, filters, search, paging, PUT vs PATCH."""

from __future__ import annotations

import pytest

from tests.fixtures.users import headers_for


@pytest.fixture
def owner_headers(student):
    return headers_for(student)


def add(client, headers, **fields):
    body = {"title": "Task", **fields}
    answer = client.post("/api/tasks", json=body, headers=headers)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_create_has_defaults(client, owner_headers):
    """Does a new task start open, normal priority, empty description, no due date?"""
    task = add(client, owner_headers, title="  Buy milk  ")
    assert task["title"] == "Buy milk"
    assert task["done"] is False and task["priority"] == "normal"
    assert task["description"] == "" and task["due_at"] is None
    assert task["created_at"].endswith("Z") or task["created_at"].endswith("+00:00")


@pytest.mark.parametrize(
    "body",
    [
        {"title": ""},
        {"title": "   "},
        {"title": "x" * 501},
        {"title": "ok", "unknown": 1},
        {"title": "ok", "tags": ["x" * 33]},
        {"title": "ok", "tags": [" "]},
        {"title": "ok", "tags": [f"t{i}" for i in range(11)]},
        {"title": "ok", "category": 0},
        {"title": "ok", "description": "x" * 5001},
        {"title": "ok", "priority": "urgent"},
        {"title": "ok", "due_at": "2030-01-01T10:00:00"},
        {"title": "ok", "due_at": "tomorrow"},
        {},
    ],
)
def test_create_rejects_bad_fields(client, owner_headers, body):
    """Are a blank/long title, long description, unknown priority, naive due date, an
    unknown field and bad tags 422?"""
    answer = client.post("/api/tasks", json=body, headers=owner_headers)
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert answer.get_json()["errors"]


def test_limits_are_inclusive(client, owner_headers):
    """Are a 500-character title (Vectora's limit), a 5000-character description, ten
    tags of 32 characters accepted?"""
    tags = [f"{i}" + "t" * 31 for i in range(10)]
    task = add(client, owner_headers, title="x" * 500, description="y" * 5000, tags=tags)
    assert task["title"] == "x" * 500 and task["tags"] == sorted(tags)


def test_due_at_keeps_offset_as_utc(client, owner_headers):
    """Is an offset due date stored and answered in UTC?"""
    task = add(client, owner_headers, due_at="2030-01-01T12:00:00+03:00")
    assert task["due_at"].replace("Z", "+00:00") == "2030-01-01T09:00:00+00:00"


def test_requires_sign_in(client):
    """Is the task API closed to anonymous callers (401)?"""
    assert client.get("/api/tasks").status_code == 401
    assert client.post("/api/tasks", json={"title": "x"}).status_code == 401


@pytest.mark.parametrize(
    ("method", "body"),
    [("get", None), ("put", {"title": "x"}), ("patch", {"done": True}), ("delete", None)],
)
def test_someone_elses_task_is_404(client, make_user, method, body):
    """Can another user read, replace, patch or delete my task? (No: 404.)"""
    mine = add(client, headers_for(make_user()))
    other = headers_for(make_user())
    kwargs = {"json": body} if body is not None else {}
    answer = getattr(client, method)(f"/api/tasks/{mine['id']}", headers=other, **kwargs)
    assert answer.status_code == 404
    assert client.get("/api/tasks", headers=other).get_json()["total"] == 0


def test_list_only_mine_newest_first(client, make_user, owner_headers):
    """Does the list show only my tasks, newest first?"""
    first = add(client, owner_headers, title="first")
    second = add(client, owner_headers, title="second")
    add(client, headers_for(make_user()), title="not mine")
    body = client.get("/api/tasks", headers=owner_headers).get_json()
    assert [t["id"] for t in body["items"]] == [second["id"], first["id"]]
    assert body["total"] == 2 and body["skip"] == 0 and body["limit"] == 20


def test_filters_by_status_and_priority(client, owner_headers):
    """Do `status` and `priority` filter the list (and the total)?"""
    done = add(client, owner_headers, title="done", done=True, priority="high")
    open_high = add(client, owner_headers, title="open", priority="high")
    add(client, owner_headers, title="low", priority="low")

    def ids(query):
        body = client.get(f"/api/tasks?{query}", headers=owner_headers).get_json()
        assert body["total"] == len(body["items"])
        return {t["id"] for t in body["items"]}

    assert ids("status=true") == {done["id"]}
    assert len(ids("status=false")) == 2
    assert ids("priority=high") == {done["id"], open_high["id"]}
    assert ids("status=false&priority=high") == {open_high["id"]}


@pytest.mark.parametrize("query", ["status=maybe", "priority=urgent", "limit=0", "limit=101"])
def test_bad_list_queries_are_422(client, owner_headers, query):
    """Are an unknown status/priority and out-of-range paging 422?"""
    assert client.get(f"/api/tasks?{query}", headers=owner_headers).status_code == 422


def test_search_is_case_insensitive_in_title_and_description(client, owner_headers):
    """Does search find text in the title or the description regardless of case?"""
    by_title = add(client, owner_headers, title="Call MOM")
    by_text = add(client, owner_headers, title="x", description="remember mom's birthday")
    add(client, owner_headers, title="unrelated")
    body = client.get("/api/tasks?search=Mom", headers=owner_headers).get_json()
    assert {t["id"] for t in body["items"]} == {by_title["id"], by_text["id"]}


def test_search_treats_wildcards_literally(client, owner_headers):
    """Are `%` and `_` in a search matched literally, not as LIKE wildcards?"""
    percent = add(client, owner_headers, title="100% done")
    underscore = add(client, owner_headers, title="snake_case")
    add(client, owner_headers, title="plain")
    add(client, owner_headers, title="snakeXcase")

    def ids(term):
        body = client.get("/api/tasks", query_string={"search": term}, headers=owner_headers)
        return {t["id"] for t in body.get_json()["items"]}

    assert ids("%") == {percent["id"]}
    assert ids("_") == {underscore["id"]}
    assert ids("e_c") == {underscore["id"]}


def test_paging(client, owner_headers):
    """Do skip and limit page the list while total counts everything?"""
    made = [add(client, owner_headers, title=f"t{i}")["id"] for i in range(5)]
    body = client.get("/api/tasks?skip=1&limit=2", headers=owner_headers).get_json()
    assert body["total"] == 5 and body["skip"] == 1 and body["limit"] == 2
    assert [t["id"] for t in body["items"]] == list(reversed(made))[1:3]


def test_put_replaces_everything(client, owner_headers):
    """Does PUT reset fields left out to their defaults?"""
    task = add(
        client, owner_headers, description="d", priority="high", due_at="2030-01-01T00:00:00Z"
    )
    answer = client.put(f"/api/tasks/{task['id']}", json={"title": "new"}, headers=owner_headers)
    body = answer.get_json()
    assert answer.status_code == 200
    assert body["title"] == "new" and body["description"] == ""
    assert body["priority"] == "normal" and body["due_at"] is None
    bad = client.put(f"/api/tasks/{task['id']}", json={"done": True}, headers=owner_headers)
    assert bad.status_code == 422


def test_patch_changes_only_given_fields(client, owner_headers):
    """Does PATCH change only the fields sent, and refuse nulls for required ones?"""
    task = add(client, owner_headers, description="keep", priority="high")
    answer = client.patch(f"/api/tasks/{task['id']}", json={"done": True}, headers=owner_headers)
    body = answer.get_json()
    assert body["done"] is True and body["description"] == "keep" and body["priority"] == "high"
    cleared = client.patch(
        f"/api/tasks/{task['id']}", json={"due_at": None}, headers=owner_headers
    ).get_json()
    assert cleared["due_at"] is None
    for bad in ({"title": None}, {"title": ""}, {"priority": "x"}):
        res = client.patch(f"/api/tasks/{task['id']}", json=bad, headers=owner_headers)
        assert res.status_code == 422


def test_delete(client, owner_headers):
    """Is a deleted task gone (204, then 404)?"""
    task = add(client, owner_headers)
    assert client.delete(f"/api/tasks/{task['id']}", headers=owner_headers).status_code == 204
    assert client.get(f"/api/tasks/{task['id']}", headers=owner_headers).status_code == 404


def test_list_json_matches_the_schema(app, client, owner_headers):
    """Is each item of the list (built from Core rows, no model) exactly what `TaskOut`
    answers for the same task, with and without a due date?"""
    add(client, owner_headers, title="plain")
    add(
        client,
        owner_headers,
        title="due",
        due_at="2030-01-01T12:00:00.123456+03:00",
        tags=["b", "a"],
    )
    listed = client.get("/api/tasks", headers=owner_headers).get_json()["items"]
    one_by_one = [
        client.get(f"/api/tasks/{item['id']}", headers=owner_headers).get_json() for item in listed
    ]
    assert listed == one_by_one
    assert {item["due_at"] for item in listed} == {None, "2030-01-01T09:00:00.123456Z"}
    assert {tuple(item["tags"]) for item in listed} == {(), ("a", "b")}
