"""What the page's drag and drop stands on (the gesture itself is `test_browser.py`'s): the
list says it is sortable only in my order, the script is loaded as a static file, and the
page's move route (for a browser session, which the API does not take) moves like the API."""

from __future__ import annotations

import re

from tests.fixtures.users import headers_for
from tests.tasks.conftest import add_task


def csrf(client, headers) -> str:
    page = client.get("/tasks", headers=headers).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def titles_in_order(client, headers) -> list[str]:
    body = client.get("/api/tasks?sort=position", headers=headers).get_json()
    return [task["title"] for task in body["items"]]


def test_only_my_order_is_sortable(client, me):
    """Does the list carry the move URLs (page and API) in sort=position only, and the page
    load tasks.js deferred from a file (no inline script)?"""
    add_task(client, me)
    page = client.get("/tasks?sort=position", headers=me).get_data(as_text=True)
    assert 'data-sortable="/tasks/0/move"' in page and 'data-move-api="/api/tasks/0/move"' in page
    assert re.search(r'<script src="/static/js/tasks\.[0-9a-f]+\.js" defer></script>', page)
    other = client.get("/tasks?sort=title", headers=me).get_data(as_text=True)
    assert "data-sortable" not in other and "data-sortable" not in client.get(
        "/tasks", headers=me
    ).get_data(as_text=True)


def test_page_move_route(client, me, make_user):
    """Does `POST /tasks/<id>/move` (with the page's CSRF token) put the task after the one
    named, and refuse a body naming neither or both (422) and someone else's task (404)?"""
    for title in ("c", "b", "a"):
        add_task(client, me, title=title)
    ids = {t["title"]: t["id"] for t in client.get("/api/tasks", headers=me).get_json()["items"]}
    headers = {**me, "X-CSRFToken": csrf(client, me)}
    assert titles_in_order(client, me) == ["a", "b", "c"]
    answer = client.post(f"/tasks/{ids['a']}/move", json={"after_id": ids["c"]}, headers=headers)
    assert answer.status_code == 204
    assert titles_in_order(client, me) == ["b", "c", "a"]
    answer = client.post(f"/tasks/{ids['a']}/move", json={"before_id": ids["b"]}, headers=headers)
    assert titles_in_order(client, me) == ["a", "b", "c"]
    for body in ({}, {"before_id": ids["b"], "after_id": ids["c"]}, {"before_id": "x"}):
        answer = client.post(f"/tasks/{ids['a']}/move", json=body, headers=headers)
        assert answer.status_code == 422
    stranger = headers_for(make_user())
    stranger_headers = {**stranger, "X-CSRFToken": csrf(client, stranger)}
    answer = client.post(
        f"/tasks/{ids['a']}/move", json={"after_id": ids["c"]}, headers=stranger_headers
    )
    assert answer.status_code == 404
