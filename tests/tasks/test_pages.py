"""The tasks page: full page, HTMX fragments, and actions through the page routes."""

from __future__ import annotations

import re
from html import unescape as html_unescape

import pytest

from tests.fixtures.users import headers_for
from webapp.extensions import db
from webapp.tasks.models import Task
from webapp.tasks.views import PAGE_SIZE

HX = {"HX-Request": "true"}


def make_task(app, owner, **fields):
    with app.app_context():
        task = Task(owner_id=owner.id, title=fields.pop("title", "Task"), **fields)
        db.session.add(task)
        db.session.commit()
        return task.id


def test_full_page_and_fragment(client, app, student):
    """Is /tasks a full page on reload and a fragment (no <html>) for HTMX?"""
    make_task(app, student, title="Visible task")
    headers = headers_for(student)
    page = client.get("/tasks", headers=headers).get_data(as_text=True)
    assert "<html" in page and "Visible task" in page and 'hx-trigger="input changed' in page
    fragment = client.get("/tasks", headers={**headers, **HX}).get_data(as_text=True)
    assert "<html" not in fragment and "Visible task" in fragment


def test_page_needs_sign_in(client):
    """Is the tasks page refused to an anonymous visitor?"""
    assert client.get("/tasks").status_code == 401


def test_chips_and_search_answer_results_only(client, app, student):
    """Do the chips and the search redraw only the results, filtered?"""
    make_task(app, student, title="Open one")
    make_task(app, student, title="Finished one", done=True)
    headers = {**headers_for(student), **HX, "HX-Target": "task-results"}
    done = client.get("/tasks?status=done", headers=headers).get_data(as_text=True)
    assert "Finished one" in done and "Open one" not in done
    assert 'id="task-add"' not in done and 'type="search"' not in done
    found = client.get("/tasks?search=OPEN", headers=headers).get_data(as_text=True)
    assert "Open one" in found and "Finished one" not in found


def test_inline_add(client, app, student):
    """Does the inline form add a task, and show an error inline for a blank title?"""
    headers = {**headers_for(student), **HX}
    answer = client.post("/tasks", data={"title": "From page", "priority": "high"}, headers=headers)
    assert answer.status_code == 200 and "From page" in answer.get_data(as_text=True)
    with app.app_context():
        task = db.session.scalars(db.select(Task)).one()
        assert task.priority == "high" and task.owner_id == student.id
    bad = client.post("/tasks", data={"title": ""}, headers=headers)
    assert bad.status_code == 422
    assert bad.headers["HX-Retarget"] == "#task-add"
    assert "field-error" in bad.get_data(as_text=True)


def test_tick_edit_delete(client, app, student):
    """Do tick done, edit and delete work through the page routes, each answering a row?"""
    task_id = make_task(app, student, title="Row")
    headers = {**headers_for(student), **HX}
    ticked = client.post(f"/tasks/{task_id}/done", data={"done": "true"}, headers=headers)
    assert "task-done cell-done" in ticked.get_data(as_text=True)
    form = client.get(f"/tasks/{task_id}/edit", headers=headers).get_data(as_text=True)
    assert 'name="title"' in form and "<html" not in form
    bad = client.post(f"/tasks/{task_id}", data={"title": "x" * 501}, headers=headers)
    assert bad.status_code == 422 and "field-error" in bad.get_data(as_text=True)
    saved = client.post(
        f"/tasks/{task_id}",
        data={"title": "Renamed", "priority": "low", "due_at": "2030-05-01T10:30"},
        headers=headers,
    )
    assert saved.status_code == 200 and "Renamed" in saved.get_data(as_text=True)
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert task.done is True  # editing keeps the tick
        assert task.due_at.isoformat() == "2030-05-01T10:30:00+00:00"
    assert client.delete(f"/tasks/{task_id}", headers=headers).status_code == 200
    with app.app_context():
        assert db.session.get(Task, task_id) is None


def test_page_actions_on_someone_elses_task_are_404(client, app, make_user):
    """Can the page routes touch another user's task? (No: 404.)"""
    task_id = make_task(app, make_user())
    headers = {**headers_for(make_user()), **HX}
    assert (
        client.post(f"/tasks/{task_id}/done", data={"done": "true"}, headers=headers).status_code
        == 404
    )
    assert client.delete(f"/tasks/{task_id}", headers=headers).status_code == 404


def test_show_more_pages_the_list(client, app, student):
    """Does "Show more" bring the next rows, and does the answer vary on HX-Target?"""
    with app.app_context():
        db.session.add_all(
            Task(owner_id=student.id, title=f"Item {i:03d}") for i in range(PAGE_SIZE + 3)
        )
        db.session.commit()
    headers = headers_for(student)
    page = client.get("/tasks", headers=headers)
    html = page.get_data(as_text=True)
    assert "HX-Target" in page.headers["Vary"]
    assert html.count('class="cell task') == PAGE_SIZE and 'id="task-more"' in html
    more_url = html_unescape(re.search(r'id="task-more">\s*<button[^>]*hx-get="([^"]+)"', html)[1])
    assert "after=" in more_url  # a keyset cursor: new tasks cannot shift the next rows
    for url in (more_url, f"/tasks?skip={PAGE_SIZE}"):
        more = client.get(url, headers={**headers, **HX, "HX-Target": "task-more"})
        text = more.get_data(as_text=True)
        assert text.count('class="cell task') == 3 and 'id="task-more"' not in text
        assert "Item 000" in text and "<nav" not in text


def test_plain_form_post_redirects(client, student):
    """Does the add form work without JavaScript (a 303 back to the list)?"""
    answer = client.post("/tasks", data={"title": "No JS"}, headers=headers_for(student))
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/tasks")


@pytest.mark.parametrize("app_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_page_actions_need_the_csrf_token(client, student):
    """Is a page action refused without the CSRF token the page hands out, and accepted with it?"""
    headers = {**headers_for(student), **HX}
    page = client.get("/tasks", headers=headers_for(student)).get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    assert client.post("/tasks", data={"title": "x"}, headers=headers).status_code == 400
    with_token = {**headers, "X-CSRFToken": token}
    assert client.post("/tasks", data={"title": "x"}, headers=with_token).status_code == 200


def test_category_tag_and_due_chips_filter(client, app, student):
    """Do the category, tag and due chips filter the page, and does a tag chip toggle its
    tag in the links it offers?"""
    from webapp.tasks import services

    with app.app_context():
        owner = db.session.get(type(student), student.id)
        work = services.create_category(owner, "Work", "#ff0000")
        services.create_task(owner, {"title": "Tagged work", "category": work.id, "tags": ["a"]})
        services.create_task(owner, {"title": "Plain one"})
        db.session.commit()
        work_id = work.id
    headers = {**headers_for(student), **HX, "HX-Target": "task-results"}
    page = client.get("/tasks", headers=headers_for(student)).get_data(as_text=True)
    assert f'data-category="{work_id}"' in page and "#a · 1" in page
    assert 'id="task-tag-suggestions"' in page and '<option value="a">' in page
    assert 'fill="#ff0000"' in page and "style=" not in page  # the colour, within the CSP
    by_category = client.get(f"/tasks?category={work_id}", headers=headers).get_data(as_text=True)
    assert "Tagged work" in by_category and "Plain one" not in by_category
    by_tag = client.get("/tasks?tag=a", headers=headers).get_data(as_text=True)
    assert "Tagged work" in by_tag and "Plain one" not in by_tag
    assert 'name="list_tag" value="a"' in by_tag
    undated = client.get("/tasks?due=none", headers=headers).get_data(as_text=True)
    assert "Tagged work" in undated and "Plain one" in undated
    assert "Tagged work" not in client.get("/tasks?due=today", headers=headers).get_data(
        as_text=True
    )


def test_page_form_sets_category_and_tags(client, app, student):
    """Does the add form store the chosen category and comma-separated tags, and does an
    edit keep them?"""
    from webapp.tasks import services

    with app.app_context():
        owner = db.session.get(type(student), student.id)
        work = services.create_category(owner, "Work", "#ff0000")
        db.session.commit()
        work_id = work.id
    headers = {**headers_for(student), **HX}
    client.post(
        "/tasks",
        data={"title": "From form", "category": str(work_id), "tags": "x, #Y"},
        headers=headers,
    )
    body = client.get("/api/tasks", headers=headers_for(student)).get_json()["items"][0]
    assert body["category"] == work_id and body["tags"] == ["x", "y"]
    form = client.get(f"/tasks/{body['id']}/edit", headers=headers).get_data(as_text=True)
    assert 'value="x, y"' in form
    client.post(
        f"/tasks/{body['id']}",
        data={"title": "Renamed", "category": str(work_id), "tags": "x, y"},
        headers=headers,
    )
    after = client.get(f"/api/tasks/{body['id']}", headers=headers_for(student)).get_json()
    assert after["title"] == "Renamed" and after["tags"] == ["x", "y"]
    assert after["category"] == work_id


def test_order_chips_sort_the_page(client, app, student):
    """Do the order chips sort the page (by title here) and keep the sort in the state the
    search and "Show more" carry?"""
    make_task(app, student, title="a older")
    make_task(app, student, title="b newer")
    headers = {**headers_for(student), **HX, "HX-Target": "task-results"}
    newest = client.get("/tasks", headers=headers).get_data(as_text=True)
    assert newest.index("b newer") < newest.index("a older")
    by_title = client.get("/tasks?sort=title", headers=headers).get_data(as_text=True)
    assert by_title.index("a older") < by_title.index("b newer")
    assert 'name="sort" value="title"' in by_title
    by_title_desc = client.get("/tasks?sort=-title", headers=headers).get_data(as_text=True)
    assert 'name="sort" value=""' in by_title_desc  # not offered on the page: the default


def test_checklist_ticked_from_the_list_and_kept_by_an_edit(client, app, student):
    """Does the row show the checklist with ticks that post to the item, and does saving
    the edit form keep the ticks of the lines that stay?"""
    task_id = make_task(
        app,
        student,
        title="Shop",
        items=[{"text": "milk", "done": False}, {"text": "tea", "done": False}],
    )
    headers = {**headers_for(student), **HX}
    page = client.get("/tasks", headers=headers_for(student)).get_data(as_text=True)
    assert f"/tasks/{task_id}/items/1" in page and "tea" in page
    row = client.post(f"/tasks/{task_id}/items/1", data={"done": "true"}, headers=headers)
    assert row.status_code == 200 and "<html" not in row.get_data(as_text=True)
    client.post(f"/tasks/{task_id}", data={"title": "Shop", "items": "tea\nbread"}, headers=headers)
    items = client.get(f"/api/tasks/{task_id}", headers=headers_for(student)).get_json()["items"]
    assert items == [{"text": "tea", "done": True}, {"text": "bread", "done": False}]


def test_edit_form_sets_and_keeps_repeat(client, app, student):
    """Does the edit form offer the repeat rules, store the chosen one, and does ticking the
    task from the list then create its next occurrence?"""
    task_id = make_task(app, student, title="Gym")
    headers = {**headers_for(student), **HX}
    form = client.get(f"/tasks/{task_id}/edit", headers=headers).get_data(as_text=True)
    assert 'name="repeat"' in form and 'value="weekdays"' in form
    client.post(f"/tasks/{task_id}", data={"title": "Gym", "repeat": "daily"}, headers=headers)
    client.post(f"/tasks/{task_id}/done", data={"done": "true"}, headers=headers)
    items = client.get("/api/tasks", headers=headers_for(student)).get_json()["items"]
    assert sorted((i["title"], i["done"], i["repeat"]) for i in items) == [
        ("Gym", False, "daily"),
        ("Gym", True, "daily"),
    ]


def test_adding_a_high_priority_task_keeps_the_list_filter(client, app, student):
    """After adding a task with priority High to the unfiltered list, does the list stay
    unfiltered (the add form's `priority` is the task's, not the list's filter)?"""
    make_task(app, student, title="Quiet chore", priority="low")
    headers = {**headers_for(student), **HX}
    page = client.get("/tasks", headers=headers).get_data(as_text=True)
    state = dict(re.findall(r'name="(list_\w+)" value="([^"]*)"', page))
    assert state == {"list_status": "all", "list_priority": "", "list_category": "", "list_due": ""}
    data = {"title": "Urgent one", "priority": "high", **state, "search": ""}
    answer = client.post("/tasks", data=data, headers=headers).get_data(as_text=True)
    assert "Urgent one" in answer and "Quiet chore" in answer
    assert 'name="list_priority" value=""' in answer
    filtered = {**data, "title": "Another", "list_priority": "high"}
    answer = client.post("/tasks", data=filtered, headers=headers).get_data(as_text=True)
    assert "Another" in answer and "Quiet chore" not in answer  # a chosen filter is kept
