"""Statistics: due today, overdue, done this week, per cent done, done per day over 30
days — `GET /api/tasks/stats`, the service with a fixed clock, and the panel's SVG chart."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.fixtures.users import headers_for
from webapp.extensions import db
from webapp.tasks import services
from webapp.tasks.models import Task
from webapp.users.models import User

NOW = datetime(2030, 5, 15, 12, 0, tzinfo=UTC)  # a Wednesday


def seed(app, owner_id, *tasks):
    with app.app_context():
        for fields in tasks:
            db.session.add(Task(owner_id=owner_id, title="t", **fields))
        db.session.commit()


def stats_at(app, owner_id, now=NOW):
    with app.app_context():
        return services.task_stats(db.session.get(User, owner_id), now)


def test_numbers_on_a_fixed_day(app, student, make_user):
    """On Wednesday noon, are open tasks due today and overdue, tasks done since Monday,
    the per cent done and the last 30 days counted — mine only?"""
    seed(
        app,
        student.id,
        {"due_at": NOW + timedelta(hours=3)},  # due today, open
        {"due_at": NOW - timedelta(hours=3)},  # due today and already overdue
        {"due_at": NOW - timedelta(days=3)},  # overdue
        {"due_at": NOW, "done": True, "done_at": NOW - timedelta(hours=1)},  # done today
        {"done": True, "done_at": NOW - timedelta(days=2, hours=11)},  # Monday 01:00
        {"done": True, "done_at": NOW - timedelta(days=3)},  # last Sunday: not this week
        {"done": True, "done_at": NOW - timedelta(days=40)},  # outside the chart
        {"due_at": NOW + timedelta(days=1)},  # tomorrow
    )
    seed(app, make_user().id, {"due_at": NOW - timedelta(days=1)})
    stats = stats_at(app, student.id)
    assert (stats.total, stats.done, stats.done_percent) == (8, 4, 50)
    assert stats.due_today == 2 and stats.overdue == 2
    assert stats.done_this_week == 2
    per_day = dict(stats.done_per_day)
    assert len(stats.done_per_day) == 30 and stats.done_per_day[-1][0] == NOW.date()
    assert stats.done_per_day[0][0] == (NOW - timedelta(days=29)).date()
    assert per_day[NOW.date()] == 1 and per_day[(NOW - timedelta(days=3)).date()] == 1
    assert sum(per_day.values()) == 3


def test_empty_list_is_zero_per_cent(app, student):
    """Does a user without tasks get zeros (not a division by zero)?"""
    stats = stats_at(app, student.id)
    assert stats.total == 0 and stats.done_percent == 0
    assert [n for _day, n in stats.done_per_day] == [0] * 30


def test_ticking_done_records_when_and_unticking_clears(client, me):
    """Does ticking a task done (PATCH or bulk) set `done_at`, unticking clear it, and the
    API's numbers follow?"""
    one = client.post("/api/tasks", json={"title": "a"}, headers=me).get_json()
    two = client.post("/api/tasks", json={"title": "b"}, headers=me).get_json()
    assert one["done_at"] is None
    done = client.patch(f"/api/tasks/{one['id']}", json={"done": True}, headers=me).get_json()
    assert done["done_at"] is not None
    client.post("/api/tasks/bulk", json={"ids": [two["id"]], "action": "done"}, headers=me)
    body = client.get("/api/tasks/stats", headers=me).get_json()
    assert body["done"] == 2 and body["done_percent"] == 100 and body["done_this_week"] == 2
    assert body["done_per_day"][-1]["count"] == 2 and len(body["done_per_day"]) == 30
    undone = client.patch(f"/api/tasks/{one['id']}", json={"done": False}, headers=me)
    assert undone.get_json()["done_at"] is None
    assert client.get("/api/tasks/stats", headers=me).get_json()["done_percent"] == 50


def test_stats_need_sign_in(client):
    """Are the statistics closed to anonymous callers?"""
    assert client.get("/api/tasks/stats").status_code == 401
    assert client.get("/tasks/stats").status_code == 401


def test_panel_draws_the_chart_on_the_server(client, app, student):
    """Does the panel show the numbers and an inline SVG with one bar per day (the done
    day's bar the tallest), with no script?"""
    today = datetime.now(UTC)
    seed(app, student.id, {"done": True, "done_at": today}, {"done": True, "done_at": today})
    page = client.get("/tasks/stats", headers=headers_for(student)).get_data(as_text=True)
    assert 'class="task-chart"' in page and "<script" not in page.split("task-chart")[1]
    bars = re.findall(r'data-day="([0-9-]+)" data-count="(\d+)"', page)
    assert len(bars) == 30 and bars[-1] == (today.date().isoformat(), "2")
    heights = [float(h) for h in re.findall(r'class="task-chart-bar"[^>]*height="([0-9.]+)"', page)]
    assert max(heights) == heights[-1] > 0 and heights[0] == 0
    assert "100 %" in page and "style=" not in page
