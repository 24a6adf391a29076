"""The tasks view: a read-only list of everyone's tasks, with owners, search and filters."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.admin.conftest import filter_arg
from webapp.database import utcnow
from webapp.extensions import db
from webapp.tasks.models import Priority, Task
from webapp.users.models import User


@pytest.fixture
def make_task(app):
    def make(owner, title, **fields):
        with app.app_context():
            task = Task(owner_id=owner.id, title=title, **fields)
            db.session.add(task)
            db.session.commit()
            return task.id

    return make


def test_list_shows_owner_title_done_priority_due(admin_client, make_user, make_task):
    """Does the list show each task's owner, title, done, priority and due date?"""
    owner = make_user(first_name="Olga")
    make_task(owner, "Buy milk", priority=Priority.HIGH, due_at=utcnow() + timedelta(days=2))
    page = admin_client.get("/admin/tasks/").get_data(as_text=True)
    assert "Buy milk" in page and "Olga" in page and "high" in page
    assert f"/admin/users/manage/{owner.id}" in page


def test_owners_are_loaded_once_per_page(app, admin_client, make_user, make_task):
    """Are the owners of a page of tasks loaded in one query, not one per row?"""
    from sqlalchemy import event

    for number in range(6):
        make_task(make_user(first_name=f"Owner{number}"), f"task {number}")
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(_conn, _cursor, statement, *_args):
        if "FROM users" in statement:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        page = admin_client.get("/admin/tasks/").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert all(f"Owner{n}" in page for n in range(6))
    assert len(statements) <= 3  # the admin's session, the page's owners (not 6 more)


def test_search_by_title(admin_client, make_user, make_task):
    """Does the search find a task by its title?"""
    owner = make_user()
    make_task(owner, "Water the ficus")
    make_task(owner, "Call grandma")
    page = admin_client.get("/admin/tasks/", query_string={"search": "ficus"}).get_data(
        as_text=True
    )
    assert "Water the ficus" in page and "Call grandma" not in page


@pytest.mark.parametrize(
    ("column", "operation", "value", "shown", "hidden"),
    [
        ("Done", "equals", "1", "finished one", "open one"),
        ("Priority", "equals", "high", "open one", "finished one"),
    ],
)
def test_filters(app, admin_client, make_user, make_task, column, operation, value, shown, hidden):
    """Do the done and priority filters narrow the list?"""
    owner = make_user()
    make_task(owner, "finished one", done=True, priority=Priority.LOW)
    make_task(owner, "open one", priority=Priority.HIGH)
    arg = filter_arg(app, "tasks", column, operation)
    page = admin_client.get("/admin/tasks/", query_string={arg: value}).get_data(as_text=True)
    assert shown in page and hidden not in page


def test_filter_by_owner(app, admin_client, make_user, make_task):
    """Does the owner filter show one user's tasks only?"""
    alice, bob = make_user(), make_user()
    make_task(alice, "alice task")
    make_task(bob, "bob task")
    arg = filter_arg(app, "tasks", "Owner", "equals")
    page = admin_client.get("/admin/tasks/", query_string={arg: alice.id}).get_data(as_text=True)
    assert "alice task" in page and "bob task" not in page


def test_tasks_are_read_only(app, admin_client, make_user, make_task):
    """Are Flask-Admin's create, edit and delete off for tasks (changes are the owner's)?"""
    task_id = make_task(make_user(), "keep me")
    assert admin_client.get("/admin/tasks/new/").status_code in (302, 403, 404)
    assert admin_client.get(f"/admin/tasks/edit/?id={task_id}").status_code in (302, 403, 404)
    admin_client.post("/admin/tasks/delete/", data={"id": task_id})
    with app.app_context():
        assert db.session.get(Task, task_id) is not None


def test_strangers_and_non_admins_are_refused(app, client, admin_client, dashboard_admin):
    """Is the tasks list closed to strangers and to an admin who lost the role?"""
    from tests.admin.conftest import demote

    answer = client.get("/admin/tasks/")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/admin/login")
    demote(app, dashboard_admin)
    assert admin_client.get("/admin/tasks/").status_code == 403


def test_new_views_speak_the_admins_language(app, admin_client, dashboard_admin):
    """Are the new menu entries and the tasks columns in Russian for a Russian admin?"""
    with app.app_context():
        db.session.get(User, dashboard_admin.id).locale = "ru"
        db.session.commit()
    page = admin_client.get("/admin/tasks/").get_data(as_text=True)
    for word in ("Задачи", "События", "Участники", "Заявки на билеты", "Задачник", "Владелец"):
        assert word in page, word
