"""Paging (`webapp.pagination`): the bounded total, `has_more`, keyset cursors — through the
task list, one of the two lists that page by cursor."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import update

from tests.fixtures.users import headers_for
from webapp import pagination
from webapp.extensions import db
from webapp.tasks.models import Task


@pytest.fixture
def headers(student):
    return headers_for(student)


def add_tasks(app, owner, count: int, *, same_time: bool = False) -> list[int]:
    with app.app_context():
        tasks = [Task(owner_id=owner.id, title=f"t{i}") for i in range(count)]
        db.session.add_all(tasks)
        db.session.flush()
        if same_time:  # ties on created_at: only the id orders them
            moment = datetime(2030, 1, 1, tzinfo=UTC)
            db.session.execute(update(Task).values(created_at=moment))
        db.session.commit()
        return [task.id for task in tasks]


def walk(client, headers, limit: int, **params) -> list[list[int]]:
    """Every page of the task list, following `next` until it is null."""
    pages, after = [], None
    while True:
        query = {"limit": limit, **params, **({"after": after} if after else {})}
        body = client.get("/api/tasks", query_string=query, headers=headers).get_json()
        pages.append([item["id"] for item in body["items"]])
        assert body["has_more"] is (body["next"] is not None)
        after = body["next"]
        if after is None:
            return pages


@pytest.mark.parametrize("same_time", [False, True])
def test_cursor_walks_every_row_once_in_order(app, client, student, headers, same_time):
    """Does following `next` give every task exactly once, newest first, even when many
    share one `created_at`?"""
    made = add_tasks(app, student, 7, same_time=same_time)
    pages = walk(client, headers, limit=3)
    assert [len(page) for page in pages] == [3, 3, 1]
    walked = [task_id for page in pages for task_id in page]
    everything = client.get("/api/tasks?limit=100", headers=headers).get_json()
    assert walked == [item["id"] for item in everything["items"]]
    assert sorted(walked) == sorted(made)


def test_cursor_is_not_shifted_by_new_rows(app, client, student, headers):
    """Does a task added while someone pages leave the next page unchanged (a `skip` page
    would repeat a row)?"""
    add_tasks(app, student, 4)
    first = client.get("/api/tasks?limit=2", headers=headers).get_json()
    expected = client.get("/api/tasks?limit=2&skip=2", headers=headers).get_json()["items"]
    add_tasks(app, student, 1)
    second = client.get(
        "/api/tasks", query_string={"limit": 2, "after": first["next"]}, headers=headers
    ).get_json()
    assert [i["id"] for i in second["items"]] == [i["id"] for i in expected]


def test_cursor_keeps_filters(app, client, student, headers):
    """Does a cursor page stay within the filters it is sent with?"""
    add_tasks(app, student, 5)
    client.patch(
        f"/api/tasks/{add_tasks(app, student, 1)[0]}", json={"done": True}, headers=headers
    )
    pages = walk(client, headers, limit=2, status="false")
    assert sum(len(page) for page in pages) == 5


@pytest.mark.parametrize("cursor", ["nonsense!", "W10", "WzFd", "eyJ4IjoxfQ", "W3sidCI6IngifSwxXQ"])
def test_foreign_cursor_is_422(client, headers, cursor):
    """Is a cursor the server never gave out refused as a 422 naming `after`, not a 500?"""
    answer = client.get("/api/tasks", query_string={"after": cursor}, headers=headers)
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert answer.get_json()["errors"][0]["field"] == "after"


def test_total_is_bounded(app, client, student, headers, monkeypatch):
    """Past the bound, is `total` the bound with `total_capped` set, while `has_more` still
    tells whether a page follows?"""
    monkeypatch.setattr(pagination, "TOTAL_LIMIT", 3)
    add_tasks(app, student, 5)
    body = client.get("/api/tasks?limit=4", headers=headers).get_json()
    assert (body["total"], body["total_capped"], body["has_more"]) == (3, True, True)
    assert len(body["items"]) == 4
    last = client.get("/api/tasks?limit=4&skip=4", headers=headers).get_json()
    assert (len(last["items"]), last["has_more"], last["next"]) == (1, False, None)


def test_total_is_exact_under_the_bound(app, client, student, headers):
    """Under the bound, is `total` the exact count and `total_capped` false?"""
    add_tasks(app, student, 5)
    body = client.get("/api/tasks?limit=2", headers=headers).get_json()
    assert (body["total"], body["total_capped"], body["has_more"]) == (5, False, True)


def test_pages_show_a_capped_total_as_plus(app, client, student, headers, monkeypatch):
    """Does the tasks page print "3+" for a capped total and continue by cursor?"""
    monkeypatch.setattr(pagination, "TOTAL_LIMIT", 3)
    add_tasks(app, student, 5)
    html = client.get("/tasks", headers=headers).get_data(as_text=True)
    assert "3+" in html


def _statements(app, client, path: str, headers) -> tuple[dict, int]:
    """The answer to `path` and how many statements the list ran (sign-in warmed first)."""
    client.get(path, headers=headers)
    seen: list[str] = []
    with app.app_context():
        engine = db.engine
    listen = lambda *args: seen.append(args[2])  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        body = client.get(path, headers=headers).get_json()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)
    return body, sum("FROM tasks" in statement for statement in seen)


def test_the_last_page_counts_itself(app, client, student, headers):
    """Does a page that holds the end of the list (the first, or one reached by `skip`) give
    the exact total from its own rows, without a count statement, and does a page with more
    after it still count (up to the bound)?"""
    add_tasks(app, student, 5)
    body, statements = _statements(app, client, "/api/tasks?limit=10", headers)
    assert (body["total"], body["has_more"], statements) == (5, False, 1)
    body, statements = _statements(app, client, "/api/tasks?limit=2&skip=3", headers)
    assert (body["total"], body["has_more"], len(body["items"]), statements) == (5, False, 2, 1)
    body, statements = _statements(app, client, "/api/tasks?limit=2", headers)
    assert (body["total"], body["has_more"], statements) == (5, True, 2)
    body, statements = _statements(app, client, "/api/tasks?limit=2&skip=9", headers)
    assert (body["total"], body["items"], statements) == (5, [], 2)
