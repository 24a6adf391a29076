"""The task flows in Chromium, launched as Telegram launches the Mini App (a 390 px phone, the
day theme for an English user and the night theme for a Russian one): the calendar with the
statistics it feeds, and drag and drop in my order. Each flow also checks what every screen
must hold (`tests/e2e/test_flows.py`: no CSP violation, no tap target under 44 px, no English
on a Russian screen)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from tests.e2e.test_flows import (  # noqa: F401 - fixtures used by name
    VARIANTS,
    app_overrides,
    check_page,
    go,
    open_app,
    patient_expect,
    phone,
    user,
    wait_for_path,
)
from tests.fixtures.webview import events, press
from webapp.extensions import db
from webapp.tasks import services
from webapp.users.models import User

pytestmark = pytest.mark.browser


def seed(app, who: dict[str, Any], titles: list[str], **fields: Any) -> None:
    """The user (as sign-in will find them) and their tasks, the first title on top."""
    with app.app_context():
        owner = db.session.scalars(select(User).where(User.telegram_id == who["id"])).first()
        if owner is None:
            owner = User(telegram_id=who["id"], first_name=who["first_name"])
            owner.language_code = who["language_code"]
            db.session.add(owner)
            db.session.flush()
        for title in reversed(titles):
            services.create_task(owner, {"title": title, **fields})
        db.session.commit()


def wait_until_boosted(page: Any, selector: str) -> None:
    """Wait until htmx has taken over the link (a tap a few milliseconds after a swap is
    otherwise a plain navigation, which in Telegram's cross-site frame has no cookie)."""
    page.main_frame.child_frames[0].wait_for_function(
        "s => { const a = document.querySelector(s);"
        " return a && a['htmx-internal-data'] && a['htmx-internal-data'].boosted; }",
        arg=selector,
    )


def order(app, telegram_id: int) -> list[str]:
    with app.app_context():
        owner = db.session.scalars(select(User).where(User.telegram_id == telegram_id)).one()
        page = services.list_tasks(owner, sort="position", limit=50)
        return [task.title for task in page.items]


@pytest.mark.parametrize(("theme", "lang"), VARIANTS)
def test_calendar_and_statistics(app, phone, telegram_client, live_server, theme, lang):  # noqa: F811
    """Does the calendar mark today (a task is due), list its task on a tap, go to the next
    month and back, and does ticking the task there show in the statistics panel?"""
    from playwright.sync_api import expect

    who = user(lang)
    title = "Молоко" if lang == "ru" else "Milk"
    # Due today at noon (the browser's day is UTC's here): "in five minutes" was tomorrow
    # for a run in the last five minutes of a day, and today showed no mark.
    noon = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    seed(app, who, [title], due_at=noon)
    page = phone()
    frame = open_app(page, telegram_client, live_server, theme, who)
    go(frame, "/tasks")
    frame.locator("#task-calendar-link").click()
    wait_for_path(frame, "/tasks/calendar")
    today = frame.locator('.calendar-day[aria-current="date"]')
    expect(today).to_have_class("calendar-day marked")
    month = frame.locator(".calendar-title").inner_text()
    today.click()
    expect(frame.locator("#calendar-day li.task")).to_have_count(1)
    expect(frame.locator("#calendar-day .cell-title")).to_have_text(title)
    expect(frame.locator('.calendar-day[aria-current="date"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    check_page(page, frame, f"task-calendar-{theme}-{lang}", lang)
    frame.locator("#calendar-day li.task").get_by_role("checkbox").check()
    expect(frame.locator("#calendar-day li.task-done")).to_have_count(1)
    frame.locator('.calendar-nav[rel="next"]').click()
    expect(frame.locator(".calendar-title")).not_to_have_text(month)
    frame.locator('.calendar-nav[rel="prev"]').click()
    expect(frame.locator(".calendar-title")).to_have_text(month)
    wait_until_boosted(page, "#main .back-link")
    press(page, "back_button_pressed")  # Telegram's BackButton: the list again
    wait_for_path(frame, "/tasks")
    frame.locator("#task-stats-link").click()
    expect(frame.locator("[data-stat=done_this_week] .cell-after")).to_have_text("1")
    assert frame.locator("rect.task-chart-bar").last.get_attribute("data-count") == "1"
    check_page(page, frame, f"task-calendar-stats-{theme}-{lang}", lang)


@pytest.mark.parametrize(("theme", "lang"), VARIANTS)
def test_drag_and_drop_in_my_order(app, phone, telegram_client, live_server, theme, lang):  # noqa: F811
    """In my order, does a long press lift the last row (with a haptic tap), dragging it to
    the top and letting go save the move (it stays there after a reload), and a short tap
    still open the task instead — and in selection mode, do two picked rows get marked
    done from the bar?"""
    from playwright.sync_api import expect

    who = user(lang)
    seed(app, who, ["A1", "B2", "C3"])
    page = phone()
    frame = open_app(page, telegram_client, live_server, theme, who)
    go(frame, "/tasks")
    wait_until_boosted(page, "#task-results a.chip[href$='sort=position']")
    frame.locator("#task-results a.chip[href$='sort=position']").click()
    expect(frame.locator("[data-sortable] li.task")).to_have_count(3)
    rows = frame.locator("[data-sortable] li.task")
    last, first = rows.nth(2).bounding_box(), rows.nth(0).bounding_box()
    page.mouse.move(last["x"] + last["width"] / 2, last["y"] + last["height"] / 2)
    page.mouse.down()
    expect(frame.locator("li.task.dragging")).to_have_count(1)  # lifted after the hold
    assert {"type": "impact", "impact_style": "medium"} in events(
        page, "web_app_trigger_haptic_feedback"
    )
    page.mouse.move(first["x"] + first["width"] / 2, first["y"] + 4, steps=8)
    page.mouse.up()
    expect(frame.locator("[data-sortable] .cell-title")).to_have_text(["C3", "A1", "B2"])
    expect(frame.locator("li.task[aria-busy]")).to_have_count(0)
    assert order(app, who["id"]) == ["C3", "A1", "B2"]
    assert frame.locator("li.task-edit").count() == 0  # the drop opened nothing
    check_page(page, frame, f"task-drag-{theme}-{lang}", lang)
    frame.locator("[data-sortable] li.task .cell-main").first.click()
    expect(frame.locator("li.task-edit")).to_have_count(1)
    # Selection mode: pick two rows, mark them done with the bar.
    frame.locator("#task-select").click()
    pickers = frame.locator("input[name=ids]")
    expect(pickers).to_have_count(3)
    pickers.nth(0).check()
    pickers.nth(2).check()
    check_page(page, frame, f"task-select-{theme}-{lang}", lang)
    frame.locator("[data-bulk=done]").click()
    expect(frame.locator("#task-select")).to_be_visible()
    expect(frame.locator("li.task-done .cell-title")).to_have_text(["C3", "B2"])
