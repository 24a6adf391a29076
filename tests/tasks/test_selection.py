"""The page's selection mode: a Select button turns the ticks into pickers, and a bar acts on
the picked tasks through the bulk API's schema and service (`POST /tasks/bulk`)."""

from __future__ import annotations

import json
import re

from tests.fixtures.users import headers_for
from tests.tasks.conftest import add_task

HX = {"HX-Request": "true", "HX-Target": "task-results"}


def tasks_by_title(client, headers) -> dict[str, dict]:
    items = client.get("/api/tasks?limit=100", headers=headers).get_json()["items"]
    return {task["title"]: task for task in items}


def toast(answer) -> str:
    return json.loads(answer.headers["HX-Trigger"])["hub:toast"]


def test_select_mode_shows_pickers_and_the_bar(client, me):
    """Does `select=1` show a picker per row (no tick, no tap to edit) and the bar of
    actions, and the normal list a Select button instead?"""
    task = add_task(client, me, title="Pick me")
    normal = client.get("/tasks", headers={**me, **HX}).get_data(as_text=True)
    assert 'id="task-select"' in normal and 'id="task-bulk"' not in normal
    assert f'hx-post="/tasks/{task["id"]}/done"' in normal
    selecting = client.get("/tasks?select=1", headers={**me, **HX}).get_data(as_text=True)
    assert 'id="task-bulk"' in selecting and 'id="task-select"' not in selecting
    assert f'name="ids" value="{task["id"]}" form="task-bulk"' in selecting
    assert f'hx-post="/tasks/{task["id"]}/done"' not in selecting
    assert f'hx-get="/tasks/{task["id"]}/edit"' not in selecting
    assert sorted(re.findall(r'data-bulk="(\w+)"', selecting)) == ["delete", "done", "undone"]
    client.post("/api/tasks/categories", json={"name": "Home"}, headers=me)
    selecting = client.get("/tasks?select=1", headers={**me, **HX}).get_data(as_text=True)
    assert 'data-bulk="move_to_category"' in selecting and 'name="category_id"' in selecting


def test_bulk_actions_from_the_page(client, me, make_user):
    """Do done, undone, move to a category and delete act on the picked tasks only (never
    someone else's), answer the list out of selection mode with its filter kept, and say
    how many changed?"""
    for title in ("a", "b", "c"):
        add_task(client, me, title=title)
    stranger = headers_for(make_user())
    other = add_task(client, stranger, title="theirs")
    ids = {title: task["id"] for title, task in tasks_by_title(client, me).items()}
    pick = [str(ids["a"]), str(ids["b"]), str(other["id"])]
    answer = client.post(
        "/tasks/bulk", data={"ids": pick, "action": "done", "list_status": "open"}, headers=HX | me
    )
    assert answer.status_code == 200 and toast(answer) == "2 tasks changed"
    html = answer.get_data(as_text=True)
    assert 'id="task-select"' in html  # out of selection mode
    assert re.findall(r'class="cell-title">([^<]+)<', html) == ["c"]  # still "open" only
    state = tasks_by_title(client, me)
    assert [state[t]["done"] for t in "abc"] == [True, True, False]
    client.post("/tasks/bulk", data={"ids": [ids["a"]], "action": "undone"}, headers=HX | me)
    assert tasks_by_title(client, me)["a"]["done"] is False
    category = client.post("/api/tasks/categories", json={"name": "Home"}, headers=me).get_json()
    data = {
        "ids": [ids["b"], ids["c"]],
        "action": "move_to_category",
        "category_id": category["id"],
    }
    client.post("/tasks/bulk", data=data, headers=HX | me)
    assert [tasks_by_title(client, me)[t]["category"] for t in "abc"] == [
        None,
        category["id"],
        category["id"],
    ]
    client.post(
        "/tasks/bulk", data={"ids": [ids["a"], ids["c"]], "action": "delete"}, headers=HX | me
    )
    assert list(tasks_by_title(client, me)) == ["b"]
    assert tasks_by_title(client, stranger)["theirs"]["done"] is False


def test_bulk_refusals(client, me):
    """Is a bulk action without picked tasks, or with an unknown action, refused (422) with
    a toast that says why, changing nothing?"""
    task = add_task(client, me)
    answer = client.post("/tasks/bulk", data={"action": "done"}, headers=HX | me)
    assert answer.status_code == 422 and toast(answer) == "Select tasks first."
    answer = client.post(
        "/tasks/bulk", data={"ids": [task["id"]], "action": "zap"}, headers=HX | me
    )
    assert answer.status_code == 422 and toast(answer)
    assert tasks_by_title(client, me)["Task"]["done"] is False
