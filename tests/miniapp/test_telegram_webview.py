"""The Mini App in headless Chromium, launched as Telegram's web client launches it.

The app runs in an iframe of a "Telegram" parent page (another site, as web.telegram.org is)
with a signed `tgWebAppData` in the URL hash and the real `telegram-web-app.js`. The parent
speaks Telegram's postMessage protocol: it records the `web_app_*` events the Mini App posts
(ready, BackButton, MainButton) and can press the BackButton. Cookies of a cross-site iframe
are not to be relied on, so this also proves every request carries the signed initData.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.fixtures.users import tma_headers
from tests.fixtures.webview import WEBVIEW_OVERRIDES, events
from tests.fixtures.webview import launch as launch_in
from webapp.extensions import db
from webapp.tasks.models import Task

pytestmark = pytest.mark.browser

THEME = {
    "bg_color": "#102030",
    "text_color": "#f0f0f0",
    "button_color": "#ff8800",
    "button_text_color": "#000000",
    "hint_color": "#aaaaaa",
    "secondary_bg_color": "#203040",
}


@pytest.fixture
def app_overrides() -> dict[str, Any]:
    return dict(WEBVIEW_OVERRIDES)


def launch(page, telegram_client, live_server, user, start_param=None):
    return launch_in(page, telegram_client, live_server, user, theme=THEME, start_param=start_param)


def back_button_states(page: Any) -> list[bool]:
    return [
        bool(data and data.get("is_visible")) for data in events(page, "web_app_setup_back_button")
    ]


def test_launch_signs_in_and_follows_the_theme(browser_page, telegram_client, live_server):
    """Does the launched app sign the user in, tell Telegram it is ready, and wear the
    theme Telegram passed in?"""
    from playwright.sync_api import expect

    frame = launch(browser_page, telegram_client, live_server, {"id": 7001, "first_name": "Anna"})
    expect(frame.get_by_text("Hello, Anna!")).to_be_visible()
    assert events(browser_page, "web_app_ready") != []
    # Telegram's List look: the page on the secondary background, sections on the background.
    background = frame.locator("body").evaluate("b => getComputedStyle(b).backgroundColor")
    assert background == "rgb(32, 48, 64)"
    section = frame.locator(".section-body").first
    assert section.evaluate("s => getComputedStyle(s).backgroundColor") == "rgb(16, 32, 48)"
    assert back_button_states(browser_page)[-1] is False  # no way back from the start


def test_tasks_inside_telegram(app, browser_page, telegram_client, live_server):
    """Can a user open Tasks, add and tick a task, and come back with Telegram's BackButton
    — with every request signed by initData rather than a cookie?"""
    from playwright.sync_api import expect

    frame = launch(browser_page, telegram_client, live_server, {"id": 7002, "first_name": "Boris"})
    expect(frame.get_by_text("Hello, Boris!")).to_be_visible()
    frame.get_by_role("link", name="Tasks").click()
    expect(frame.get_by_role("heading", name="Tasks")).to_be_visible()
    browser_page.wait_for_function(
        "window.events.filter(e => e.eventType === 'web_app_setup_back_button')"
        ".slice(-1)[0].eventData.is_visible === true"
    )

    frame.get_by_placeholder("New task").fill("Buy milk")
    frame.get_by_placeholder("New task").press("Enter")
    row = frame.locator("li.task", has_text="Buy milk")
    expect(row).to_be_visible()
    row.get_by_role("checkbox").check()
    expect(frame.locator("li.task-done", has_text="Buy milk")).to_be_visible()
    with app.app_context():
        task = db.session.scalars(db.select(Task).where(Task.title == "Buy milk")).one()
        assert task.done is True

    browser_page.evaluate("window.press('back_button_pressed')")
    expect(frame.get_by_text("Hello, Boris!")).to_be_visible()
    browser_page.wait_for_function(
        "window.events.filter(e => e.eventType === 'web_app_setup_back_button')"
        ".slice(-1)[0].eventData.is_visible === false"
    )


def test_links_of_new_content_work_as_soon_as_it_is_shown(
    browser_page, telegram_client, live_server
):
    """Are the links of a page htmx has just shown already htmx links when the swap is done?
    htmx wires new content when it settles; with a settle delay a link tapped in between
    was a plain navigation, which carries no initData (and Telegram's frame no cookie)."""
    from playwright.sync_api import expect

    frame = launch(browser_page, telegram_client, live_server, {"id": 7003, "first_name": "Vera"})
    expect(frame.get_by_text("Hello, Vera!")).to_be_visible()
    wired = frame.locator("body").evaluate(
        """() => htmx.ajax("GET", "/tasks", {target: "#main"}).then(() =>
            [...document.querySelectorAll("#main a[href^='/']")].map(
                a => Boolean(a["htmx-internal-data"] && a["htmx-internal-data"].boosted)))"""
    )
    assert wired and all(wired), wired


def test_start_param_opens_the_event(client, browser_page, telegram_client, live_server):
    """Does a launch with startapp=event_<id> open that event?"""
    from playwright.sync_api import expect

    starts = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    created = client.post(
        "/api/events", headers=tma_headers(7100), json={"title": "Chess night", "starts_at": starts}
    )
    assert created.status_code == 201
    event_id = created.get_json()["id"]
    frame = launch(
        browser_page,
        telegram_client,
        live_server,
        {"id": 7003, "first_name": "Mira"},
        start_param=f"event_{event_id}",
    )
    expect(frame.get_by_role("heading", name="Chess night")).to_be_visible()


def test_russian_user_gets_russian(browser_page, telegram_client, live_server):
    """Does a user whose Telegram speaks Russian see the app in Russian?"""
    from playwright.sync_api import expect

    frame = launch(
        browser_page,
        telegram_client,
        live_server,
        {"id": 7004, "first_name": "Иван", "language_code": "ru"},
    )
    expect(frame.get_by_text("Привет, Иван!")).to_be_visible()
    # The shell was drawn before sign-in told us the language: it is drawn again in Russian.
    expect(frame.locator(".tile .cell-title", has_text="Задачник")).to_be_visible()
    expect(frame.get_by_text("Hello", exact=False)).to_have_count(0)


def test_telegram_chrome_follows_the_theme_and_its_changes(
    browser_page, telegram_client, live_server
):
    """Do Telegram's header, background and bottom bar take the theme's colours, native
    controls Telegram's scheme, and does all of it follow a theme change?"""
    from playwright.sync_api import expect

    from tests.fixtures.webview import THEMES, press

    light, dark = THEMES["light"], THEMES["dark"]
    frame = launch_in(
        browser_page, telegram_client, live_server, {"id": 7005, "first_name": "Vera"}
    )
    expect(frame.get_by_text("Hello, Vera!")).to_be_visible()
    assert events(browser_page, "web_app_set_header_color")[-1] == {
        "color": light["header_bg_color"]
    }
    assert events(browser_page, "web_app_set_background_color")[-1] == {
        "color": light["secondary_bg_color"]
    }
    assert events(browser_page, "web_app_set_bottom_bar_color")[-1] == {
        "color": light["bottom_bar_bg_color"]
    }
    html = frame.locator("html")
    assert html.evaluate("h => getComputedStyle(h).colorScheme") == "light"

    press(browser_page, "theme_changed", {"theme_params": dark})
    expect(html).to_have_attribute("data-scheme", "dark")
    assert html.evaluate("h => getComputedStyle(h).colorScheme") == "dark"
    assert events(browser_page, "web_app_set_header_color")[-1] == {
        "color": dark["header_bg_color"]
    }
    body = frame.locator("body")
    assert body.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(21, 30, 39)"


@pytest.mark.parametrize(
    ("language", "title", "waits"), [("ru", "Задачи", True), ("en", "Tasks", False)]
)
def test_the_first_screen_speaks_the_launch_language(
    browser_page, telegram_client, live_server, language, title, waits
):
    """The browser asks for English; Telegram launches the app for a user who speaks
    `language`. Until sign-in answers, does a Russian user's shell keep its words as a
    skeleton under `<html lang="ru">` (nothing in English, nothing that jumps), and an
    English user's show its words at once — and is each then drawn in the user's language?"""
    from playwright.sync_api import expect

    held: list[Any] = []
    browser_page.route("**/auth/session", lambda route: held.append(route))  # held until released
    user = {"id": 7010, "first_name": "Vera", "language_code": language}
    with browser_page.expect_request("**/auth/session"):
        frame = launch(browser_page, telegram_client, live_server, user)
    nav = frame.locator("nav")
    first_title = frame.locator(".cell-title").first
    expect(frame.locator("html")).to_have_attribute("lang", language)
    if waits:
        expect(nav).to_have_class("launch-pending")
        assert first_title.evaluate("e => getComputedStyle(e).color") == "rgba(0, 0, 0, 0)"
    else:
        expect(nav).not_to_have_class("launch-pending")
        expect(first_title).to_have_text(title)
    assert len(held) == 1, "the sign-in was not held"
    held[0].continue_()
    expect(frame.get_by_text("Vera", exact=False).first).to_be_visible()
    expect(frame.get_by_role("link", name=title)).to_be_visible()
    expect(nav).not_to_have_class("launch-pending")
    expect(frame.locator("html")).to_have_attribute("lang", language)


def test_a_tap_while_the_shell_is_drawn_again_is_kept(browser_page, telegram_client, live_server):
    """A Russian user in an English browser: after sign-in the shell is drawn again in
    Russian. If they tap Tasks before that redraw answers, do they stay on Tasks (the late
    redraw dropped) rather than being thrown back to the start screen?"""
    from playwright.sync_api import expect

    held: list[Any] = []

    def hold_the_redraw(route: Any) -> None:
        if route.request.headers.get("x-hub-move"):
            held.append(route)  # answered once Tasks is shown
        else:
            route.continue_()

    browser_page.route("**/*", hold_the_redraw)
    user = {"id": 7011, "first_name": "Vera", "language_code": "ru"}
    frame = launch(browser_page, telegram_client, live_server, user)
    expect(frame.locator(".greeting[data-user-id]")).to_be_visible()
    for _ in range(100):  # the redraw leaves right after the greeting is shown
        if held:
            break
        browser_page.wait_for_timeout(50)
    assert len(held) == 1, "the redraw after sign-in was not sent"
    frame.locator('#main a[href="/tasks"]').first.click()
    expect(frame.locator("#task-add")).to_be_visible()
    app_frame = browser_page.main_frame.child_frames[0]
    with browser_page.expect_response(lambda r: bool(r.request.headers.get("x-hub-move"))):
        held[0].continue_()
    app_frame.wait_for_function("() => !document.querySelector('.htmx-request')")
    expect(frame.locator("#task-add")).to_be_visible()
    assert app_frame.evaluate("location.pathname") == "/tasks"
