"""Days are the user's own: `due=today|week`, the statistics' "today", "done this week" and
the 30-day chart follow the user's time zone, not UTC (a user at UTC+14 here, whose day
begins ten hours before UTC's)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tests.fixtures.users import headers_for
from webapp.extensions import db
from webapp.i18n import user_zone
from webapp.tasks import services
from webapp.tasks.models import Task
from webapp.users.models import User

# Sunday 10 March 2030, 12:00 UTC = Monday 11 March, 02:00 at Kiritimati (UTC+14).
NOW = datetime(2030, 3, 10, 12, 0, tzinfo=UTC)
LOCAL_TODAY = date(2030, 3, 11)


def seed(app, owner_id: int, **titled: dict) -> None:
    with app.app_context():
        for title, fields in titled.items():
            db.session.add(Task(owner_id=owner_id, title=title, **fields))
        db.session.commit()


def titles(app, owner_id: int, due: str) -> list[str]:
    with app.app_context():
        owner = db.session.get(User, owner_id)
        page = services.list_tasks(owner, due=due, now=NOW, sort="title", limit=50)
        return [task.title for task in page.items]


def test_due_filters_in_the_users_day(app, make_user):
    """For a user at UTC+14, is "today" their Monday (a task due 05:00 UTC on the 11th is
    in, one due 09:00 UTC on the 10th — their Sunday night — is out), and "week" their next
    seven days?"""
    far = make_user(time_zone="Pacific/Kiritimati")
    seed(
        app,
        far.id,
        sunday_night={"due_at": datetime(2030, 3, 10, 9, 0, tzinfo=UTC)},  # local Sun 23:00
        monday_early={"due_at": datetime(2030, 3, 10, 10, 0, tzinfo=UTC)},  # local Mon 00:00
        monday_evening={"due_at": datetime(2030, 3, 11, 5, 0, tzinfo=UTC)},  # local Mon 19:00
        next_sunday={"due_at": datetime(2030, 3, 17, 9, 59, tzinfo=UTC)},  # local Sun 23:59
        next_monday={"due_at": datetime(2030, 3, 17, 10, 0, tzinfo=UTC)},  # local Mon 00:00
    )
    assert titles(app, far.id, "today") == ["monday_early", "monday_evening"]
    assert titles(app, far.id, "week") == ["monday_early", "monday_evening", "next_sunday"]
    assert titles(app, far.id, "overdue") == ["monday_early", "sunday_night"]


def test_stats_in_the_users_day(app, make_user):
    """Are "due today", "done this week" (from the user's Monday) and the chart's days
    (ending on the user's today) counted in the user's zone?"""
    far = make_user(time_zone="Pacific/Kiritimati")
    seed(
        app,
        far.id,
        due_today={"due_at": datetime(2030, 3, 11, 5, 0, tzinfo=UTC)},  # local Mon 19:00
        due_sunday={"due_at": datetime(2030, 3, 10, 9, 0, tzinfo=UTC)},  # local Sun 23:00
        done_monday={"done": True, "done_at": datetime(2030, 3, 10, 11, 0, tzinfo=UTC)},
        done_sunday={"done": True, "done_at": datetime(2030, 3, 10, 9, 0, tzinfo=UTC)},
    )
    with app.app_context():
        stats = services.task_stats(db.session.get(User, far.id), NOW)
    assert stats.due_today == 1
    assert stats.done_this_week == 1
    assert stats.done_per_day[-1] == (LOCAL_TODAY, 1)
    assert stats.done_per_day[-2] == (LOCAL_TODAY - timedelta(days=1), 1)
    assert stats.done_per_day[0][0] == LOCAL_TODAY - timedelta(days=29)


def test_the_api_uses_the_users_day(app, make_user, client):
    """Does `GET /api/tasks?due=today` and `/api/tasks/stats` answer in the user's day
    (the chart's last day is their today, ahead of UTC's)?"""
    far = make_user(time_zone="Pacific/Kiritimati")
    now = datetime.now(UTC)
    local_today = now.astimezone(user_zone(far)).date()
    body = client.get("/api/tasks/stats", headers=headers_for(far)).get_json()
    assert body["done_per_day"][-1]["date"] == local_today.isoformat()
    tonight = services.local_midnight(local_today + timedelta(days=1), user_zone(far))
    seed(app, far.id, late={"due_at": tonight - timedelta(minutes=1)})
    listed = client.get("/api/tasks?due=today", headers=headers_for(far)).get_json()
    assert [task["title"] for task in listed["items"]] == ["late"]
