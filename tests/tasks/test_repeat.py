"""Repeating tasks: the next due date per rule, one next occurrence per tick (even two
ticks at once, on PostgreSQL and SQLite), and what the occurrence carries over."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.tasks import services
from webapp.tasks.models import Repeat, Task
from webapp.users.models import User


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("repeat", "due", "now", "expected"),
    [
        (Repeat.DAILY, "2030-01-01T09:00", "2029-12-31T00:00", "2030-01-02T09:00"),
        (Repeat.WEEKLY, "2030-01-01T09:00", "2029-12-31T00:00", "2030-01-08T09:00"),
        (Repeat.WEEKDAYS, "2030-01-04T09:00", "2029-12-31T00:00", "2030-01-07T09:00"),  # Fri→Mon
        (Repeat.WEEKDAYS, "2030-01-01T09:00", "2029-12-31T00:00", "2030-01-02T09:00"),
        (Repeat.MONTHLY, "2030-01-31T09:00", "2029-12-31T00:00", "2030-02-28T09:00"),
        (Repeat.MONTHLY, "2030-12-15T09:00", "2029-12-31T00:00", "2031-01-15T09:00"),
        (Repeat.DAILY, "2030-01-01T09:00", "2030-01-05T12:00", "2030-01-06T09:00"),  # ticked late
    ],
)
def test_next_due(repeat, due, now, expected):
    """Is the next due date one period on (weekdays skip the weekend, a month keeps its
    day or takes the last one), and never already past when ticked late?"""
    assert services.next_due(repeat, at(due), at(now)) == at(expected)


def occurrences(client, headers):
    return client.get("/api/tasks?limit=100", headers=headers).get_json()["items"]


def test_ticking_done_creates_the_next_once(client, me):
    """Does ticking a repeating task done create one open copy due a period later (with
    its tags, category and checklist unticked), and ticking it again (after unticking)
    create no second one?"""
    category = client.post("/api/tasks/categories", json={"name": "Home"}, headers=me).get_json()
    due = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    task = client.post(
        "/api/tasks",
        json={
            "title": "Water plants",
            "repeat": "weekly",
            "due_at": due.isoformat(),
            "tags": ["home"],
            "category": category["id"],
            "items": [{"text": "ficus", "done": True}],
        },
        headers=me,
    ).get_json()
    assert task["repeat"] == "weekly"
    url = f"/api/tasks/{task['id']}"
    client.patch(url, json={"done": True}, headers=me)
    client.patch(url, json={"done": False}, headers=me)
    client.patch(url, json={"done": True}, headers=me)
    items = occurrences(client, me)
    assert len(items) == 2
    new = next(item for item in items if item["id"] != task["id"])
    assert new["done"] is False and new["repeat"] == "weekly"
    assert new["due_at"].replace("Z", "+00:00") == (due + timedelta(days=7)).isoformat()
    assert new["tags"] == ["home"] and new["category"] == category["id"]
    assert new["items"] == [{"text": "ficus", "done": False}]


def test_plain_tasks_and_bulk(client, me):
    """Does a task without `repeat` create nothing when done, and does bulk done create the
    next occurrence of a repeating one?"""
    plain = client.post("/api/tasks", json={"title": "once"}, headers=me).get_json()
    daily = client.post("/api/tasks", json={"title": "d", "repeat": "daily"}, headers=me)
    body = {"ids": [plain["id"], daily.get_json()["id"]], "action": "done"}
    client.post("/api/tasks/bulk", json=body, headers=me)
    client.post("/api/tasks/bulk", json=body, headers=me)
    titles = sorted(item["title"] for item in occurrences(client, me))
    assert titles == ["d", "d", "once"]


def test_bad_repeat_is_422(client, me):
    """Is an unknown repeat rule refused?"""
    answer = client.post("/api/tasks", json={"title": "x", "repeat": "hourly"}, headers=me)
    assert answer.status_code == 422


def test_ticked_twice_at_once_creates_one_occurrence(shared_app):
    """When two devices tick the same repeating task done at the same moment, is exactly
    one next occurrence created?"""
    app = shared_app
    with app.app_context():
        owner = User(telegram_id=4_400_002, first_name="Two ticks")
        db.session.add(owner)
        db.session.flush()
        task = services.create_task(owner, {"title": "Daily", "repeat": Repeat.DAILY})
        db.session.commit()
        owner_id, task_id = owner.id, task.id
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def tick() -> None:
        try:
            with app.app_context():
                user = db.session.get(User, owner_id)
                db.session.get(Task, task_id)  # both read it open
                barrier.wait(10)
                services.set_done(user, task_id, True)
                db.session.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    with app.app_context():
        count = db.session.scalar(select(func.count()).where(Task.repeat_of_id == task_id))
        total = db.session.scalar(select(func.count()).select_from(Task))
    assert count == 1 and total == 2
