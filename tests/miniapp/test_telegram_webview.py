"""The Mini App in headless Chromium, launched as Telegram's web client launches it.

The app runs in an iframe of a "Telegram" parent page (another site, as web.telegram.org is)
with a signed `tgWebAppData` in the URL hash and the real `telegram-web-app.js`. The parent
speaks Telegram's postMessage protocol: it records the `web_app_*` events the Mini App posts
(ready, BackButton, MainButton) and can press the BackButton. Cookies of a cross-site iframe
are not to be relied on, so this also proves every request carries the signed initData.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from tests.fixtures.app import TEST_BOT_TOKEN
from tests.fixtures.users import tma_headers
from webapp.auth import init_data
from webapp.extensions import db
from webapp.tasks.models import Task

pytestmark = pytest.mark.browser

# The parent is another site than the app (localhost vs 127.0.0.1), both on loopback:
# Chromium keeps public pages from framing loopback ones (Private Network Access).
TELEGRAM_ORIGINS = "http://localhost:*"
THEME = {
    "bg_color": "#102030",
    "text_color": "#f0f0f0",
    "button_color": "#ff8800",
    "button_text_color": "#000000",
    "hint_color": "#aaaaaa",
    "secondary_bg_color": "#203040",
}
PARENT_PAGE = b"""<!doctype html><html><body style="margin:0">
<iframe id="app" style="width:420px;height:760px;border:0"></iframe>
<script>
  document.getElementById("app").src = decodeURIComponent(location.hash.slice(1));
  window.events = [];
  window.addEventListener("message", function (e) {
    try { window.events.push(JSON.parse(e.data)); } catch (err) {}
  });
  window.press = function (eventType) {
    document.getElementById("app").contentWindow.postMessage(
      JSON.stringify({eventType: eventType, eventData: {}}), "*");
  };
</script></body></html>"""


@pytest.fixture
def app_overrides() -> dict[str, Any]:
    return {
        "TELEGRAM_WEBAPP_JS_URL": "/static/vendor/telegram-web-app-8.0.2.js",
        "FRAME_ANCESTORS": [TELEGRAM_ORIGINS],
        "WTF_CSRF_ENABLED": True,
    }


class _ParentPage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(PARENT_PAGE)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def telegram_client() -> Iterator[str]:
    """The "Telegram web client": a page on another site that frames the Mini App."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ParentPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_port}/k/"
    server.shutdown()
    server.server_close()


def launch(
    page: Any,
    telegram_client: str,
    live_server: str,
    user: dict[str, Any],
    start_param: str | None = None,
):
    """Open the Mini App inside the Telegram-like parent; return the app's frame."""
    raw = init_data.build(TEST_BOT_TOKEN, user, start_param=start_param)
    launch_hash = urlencode(
        {
            "tgWebAppData": raw,
            "tgWebAppVersion": "8.0",
            "tgWebAppPlatform": "weba",
            "tgWebAppThemeParams": json.dumps(THEME),
        },
        quote_via=quote,
    )
    page.goto(telegram_client + "#" + quote(f"{live_server}/#{launch_hash}", safe=""))
    return page.frame_locator("#app")


def events(page: Any, event_type: str) -> list[dict[str, Any]]:
    return [
        e.get("eventData")
        for e in page.evaluate("window.events")
        if e.get("eventType") == event_type
    ]


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
    background = frame.locator("body").evaluate("b => getComputedStyle(b).backgroundColor")
    assert background == "rgb(16, 32, 48)"
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
    frame.get_by_role("button", name="Add").click()
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
    expect(frame.locator(".tile-title", has_text="Задачник")).to_be_visible()
    expect(frame.get_by_text("Hello", exact=False)).to_have_count(0)
