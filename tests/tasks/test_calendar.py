"""The calendar: a month grid with the days that have tasks due marked (in the user's local
days), a tap on a day listing that day's tasks (an HTMX fragment that also moves the grid's
selection), months before and after, and `due_on` on the API."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tests.fixtures.users import headers_for
from tests.tasks.conftest import add_task

FRAGMENT = {"HX-Request": "true", "HX-Target": "calendar-day"}


def day_link(html: str, day: str) -> str:
    """The grid's `<a …>` of one day."""
    match = re.search(r'<a class="calendar-day[^>]*data-date="' + day + '"[^>]*>', html)
    assert match, day
    return match.group(0)


def test_days_with_tasks_due_are_marked_in_local_days(client, make_user):
    """For a user at UTC+14, is a task due 5 December 12:00 UTC marked on their 6 December
    (not the 5th), with the count said to a screen reader, and days outside the month
    shown as such?"""
    far = make_user(time_zone="Pacific/Kiritimati")
    me = headers_for(far)
    add_task(client, me, due_at="2026-12-05T12:00:00Z")
    add_task(client, me, due_at="2026-12-05T13:00:00Z", done=True)
    html = client.get("/tasks/calendar?month=2026-12", headers=me).get_data(as_text=True)
    assert "December 2026" in html
    assert " marked" in day_link(html, "2026-12-06") and "2 tasks" in day_link(html, "2026-12-06")
    assert " marked" not in day_link(html, "2026-12-05")
    assert " outside" in day_link(html, "2026-11-30")  # the Monday the grid starts on
    assert " outside" not in day_link(html, "2026-12-01")


def test_tap_on_a_day_lists_its_tasks(client, me):
    """Does a tap on a day answer (for HTMX) only that day's tasks, in due order, with the
    grid redrawn out of band to select the day — and the same URL as a full page?"""
    add_task(client, me, title="Later", due_at="2026-12-05T15:00:00Z")
    add_task(client, me, title="Early", due_at="2026-12-05T08:00:00Z")
    add_task(client, me, title="Next day", due_at="2026-12-06T08:00:00Z")
    add_task(client, me, title="Undated")
    url = "/tasks/calendar?month=2026-12&day=2026-12-05"
    fragment = client.get(url, headers={**me, **FRAGMENT}).get_data(as_text=True)
    assert "<html" not in fragment
    titles = re.findall(r'class="cell-title">([^<]+)<', fragment)
    assert titles == ["Early", "Later"]
    assert 'hx-swap-oob="true"' in fragment
    assert 'aria-pressed="true"' in day_link(fragment, "2026-12-05")
    page = client.get(url, headers=me).get_data(as_text=True)
    assert "<html" in page and "Early" in page and "Next day" not in page
    empty = client.get(url.replace("05", "07"), headers={**me, **FRAGMENT})
    assert "Nothing due this day." in empty.get_data(as_text=True)


def test_months_before_and_after(client, me):
    """Do the arrows lead to the month before and after (across a year), and does a month
    the page cannot read show the current month instead of an error?"""
    html = client.get("/tasks/calendar?month=2027-01", headers=me).get_data(as_text=True)
    assert 'href="/tasks/calendar?month=2026-12" aria-label="Previous month"' in html
    assert 'href="/tasks/calendar?month=2027-02" aria-label="Next month"' in html
    this_month = datetime.now(UTC).strftime("%B %Y")
    for bad in ("2026-13", "x", "0000-01", "99999-01"):
        answer = client.get(f"/tasks/calendar?month={bad}", headers=me)
        assert answer.status_code == 200
        assert f'<h2 class="calendar-title">{this_month}</h2>' in answer.get_data(as_text=True)
    today = client.get("/tasks/calendar", headers=me).get_data(as_text=True)
    assert 'aria-current="date"' in today


def test_russian_month_and_weekdays(client, make_user):
    """Are the month and the weekdays in the user's language?"""
    me = headers_for(make_user(locale="ru"))
    html = client.get("/tasks/calendar?month=2026-12", headers=me).get_data(as_text=True)
    assert ">Декабрь 2026<" in html and ">пн<" in html.lower()


def test_api_due_on(client, make_user):
    """Does `GET /api/tasks?due_on=` list the tasks due on that local day, and refuse a day
    that is not a date (422 naming `due_on`)?"""
    far = make_user(time_zone="Pacific/Kiritimati")
    me = headers_for(far)
    add_task(client, me, title="Sixth", due_at="2026-12-05T12:00:00Z")  # local 6 December
    add_task(client, me, title="Fifth", due_at="2026-12-05T09:00:00Z")  # local 5 December
    body = client.get("/api/tasks?due_on=2026-12-06", headers=me).get_json()
    assert [task["title"] for task in body["items"]] == ["Sixth"]
    answer = client.get("/api/tasks?due_on=2026-12-32", headers=me)
    assert answer.status_code == 422
    assert [e["field"] for e in answer.get_json()["errors"]] == ["due_on"]


def test_the_list_links_to_the_calendar(client, me):
    """Does the task list offer the calendar?"""
    html = client.get("/tasks", headers=me).get_data(as_text=True)
    assert 'id="task-calendar-link"' in html and 'href="/tasks/calendar"' in html
