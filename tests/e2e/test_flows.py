"""Each module's main flow in Chromium, launched as Telegram launches the Mini App.

Every flow runs twice: Telegram's day theme for an English user and its night theme for a
Russian one, on a 390 px phone screen. Primary actions are pressed on Telegram's MainButton
(the in-page button is hidden inside Telegram), elements are found by name or URL rather than
by their (translated) text. Each flow also checks what every page must hold: no CSP
violation, no tap target under 44 px, no English on a Russian screen, and leaves a screenshot
under tests/e2e/screenshots/ (not committed) to look at.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.webview import WEBVIEW_OVERRIDES, events, launch, press
from webapp.extensions import db
from webapp.problems import services as problem_services
from webapp.problems.models import ProblemStatus
from webapp.users.models import Role, User

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).parent / "screenshots"
VARIANTS = [("light", "en"), ("dark", "ru")]
PHONE = {"width": 390, "height": 844}

# Elements smaller than a finger (44 px) in the visible page, except links inside text.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'a, button, input:not([type=hidden]), select, textarea, summary, label.cell-main')]
  .filter(e => e.offsetParent !== null && !e.closest('p, small, .cell-subtitle'))
  .filter(e => !e.classList.contains('toggle'))
  .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect()])
  .filter(([, r]) => r.height < 43.5 || r.width < 43.5)
  .map(([html]) => html)"""


@pytest.fixture(autouse=True)
def patient_expect() -> None:
    """The machine running the suite may be busy: wait up to 15 s for what a flow expects."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)


@pytest.fixture
def app_overrides() -> dict[str, Any]:
    return {**WEBVIEW_OVERRIDES, "DEV_RECHARGE": True}


@pytest.fixture
def phone(chromium: Any):
    """A phone-sized page that records console errors (CSP violations show up there)."""
    contexts = []

    def open_page() -> Any:
        context = chromium.new_context(viewport=PHONE, locale="en-US", device_scale_factor=1)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console",
            lambda msg: msg.type == "error" and page.console_errors.append(msg.text),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()


_users = iter(range(9100, 9999))


def user(lang: str, name: str = "") -> dict[str, Any]:
    name = name or ("Анна" if lang == "ru" else "Anna")
    return {"id": next(_users), "first_name": name, "language_code": lang}


def open_app(page: Any, telegram_client: str, live_server: str, theme: str, who: dict) -> Any:
    from playwright.sync_api import expect

    frame = launch(page, telegram_client, live_server, who, theme=theme)
    expect(frame.locator(".greeting[data-user-id]")).to_be_visible()
    return frame


def go(frame: Any, href: str) -> None:
    """Tap the link to `href` and wait until its page is the one shown."""
    frame.locator(f'#main a[href="{href}"]').first.click()
    wait_for_path(frame, href)


def wait_for_path(frame: Any, path: str) -> None:
    frame.locator("body").page.main_frame.child_frames[0].wait_for_function(
        "p => location.pathname === p && !document.querySelector('.htmx-request')", arg=path
    )


def press_main(page: Any, frame: Any) -> None:
    """Press Telegram's MainButton once it shows this screen's primary action."""
    label = frame.locator("#main [data-main-button]").get_attribute("data-main-button")
    page.wait_for_function(
        "label => { const s = window.events"
        ".filter(e => e.eventType === 'web_app_setup_main_button');"
        " const last = s.length && s[s.length - 1].eventData;"
        " return last && last.is_visible && last.text === label; }",
        arg=label,
    )
    press(page, "main_button_pressed")


# Proper names are not English: the brand, and the language switch's own "English".
# (Categories, cities and ticket types are shown by their display names in both languages.)
PROPER_NAMES = {"telegram", "english"}


def check_page(page: Any, frame: Any, name: str, lang: str) -> None:
    """What every screen must hold; then a screenshot."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []
    assert frame.locator("body").evaluate(SMALL_TARGETS) == []
    if lang == "ru":
        text = frame.locator("#main").inner_text()
        # A Latin word of 4+ letters on a Russian screen is English left behind (names of
        # things users typed are Latin-free in these flows).
        words = {word.lower() for word in re.findall(r"\b[A-Za-z]{4,}\b", text)}
        english = words - PROPER_NAMES
        assert english == set(), text


@pytest.mark.parametrize(("theme", "lang"), VARIANTS)
def test_add_and_tick_a_task(phone, telegram_client, live_server, theme, lang):
    """Can a user add a task with the MainButton and tick it?"""
    from playwright.sync_api import expect

    page = phone()
    frame = open_app(page, telegram_client, live_server, theme, user(lang))
    go(frame, "/tasks")
    frame.locator("#task-add [name=title]").fill("Молоко" if lang == "ru" else "Buy milk")
    press_main(page, frame)
    press(page, "main_button_pressed")  # a double tap
    row = frame.locator("li.task").first
    expect(row).to_be_visible()
    expect(frame.locator("li.task")).to_have_count(1)
    # The MainButton showed progress while the add ran; a haptic said it worked.
    assert any(e.get("is_progress_visible") for e in events(page, "web_app_setup_main_button"))
    haptics = events(page, "web_app_trigger_haptic_feedback")
    assert {"type": "notification", "notification_type": "success"} in haptics
    row.get_by_role("checkbox").check()
    expect(frame.locator("li.task-done")).to_have_count(1)
    check_page(page, frame, f"tasks-{theme}-{lang}", lang)


@pytest.mark.parametrize(("theme", "lang"), VARIANTS)
def test_create_and_join_an_event(phone, telegram_client, live_server, theme, lang):
    """Can a user create an event from the MainButton and join it?"""
    from playwright.sync_api import expect

    page = phone()
    frame = open_app(page, telegram_client, live_server, theme, user(lang))
    go(frame, "/events")
    press_main(page, frame)  # New event
    expect(frame.locator("#event-form")).to_be_visible()
    frame.locator("[name=title]").fill("Шахматы" if lang == "ru" else "Chess night")
    frame.locator("[name=starts_at]").fill("2031-05-01T18:00")
    press_main(page, frame)  # Save
    expect(frame.locator("#event-join")).to_be_visible()
    press_main(page, frame)  # Join
    expect(frame.locator("#event-join button.destructive")).to_be_visible()  # Leave
    check_page(page, frame, f"events-{theme}-{lang}", lang)


@pytest.mark.parametrize(("theme", "lang"), VARIANTS)
def test_fill_and_submit_a_ticket_form(phone, telegram_client, live_server, theme, lang):
    """Can a user fill the ticket form and submit it with the MainButton?"""
    from playwright.sync_api import expect

    page = phone()
    frame = open_app(page, telegram_client, live_server, theme, user(lang))
    go(frame, "/tickets")
    frame.locator("#ticket-name").fill("Анна Петрова" if lang == "ru" else "Anna Petrova")
    frame.locator("#ticket-email").fill("anna@example.org")
    frame.locator("#ticket-phone").fill("+79001234567")
    frame.locator("#ticket-ticket-type").select_option(index=1)
    frame.locator("#ticket-quantity").fill("2")
    press_main(page, frame)
    expect(frame.locator("#submissions .cell")).to_have_count(1)
    check_page(page, frame, f"tickets-{theme}-{lang}", lang)


@pytest.mark.parametrize(("theme", "lang"), VARIANTS)
def test_solve_a_problem(app, phone, telegram_client, live_server, theme, lang):
    """Can a user open an approved problem and solve it with the MainButton?"""
    from playwright.sync_api import expect

    with app.app_context():
        author = User(telegram_id=next(_users), first_name="Teacher", role=Role.TEACHER)
        db.session.add(author)
        db.session.flush()
        data = problem_services.ProblemData(
            title="Сумма" if lang == "ru" else "Sum",
            statement="2 + 2 = ?",
            answer="4",
            topic="арифметика" if lang == "ru" else "arithmetic",
            difficulty=1,
        )
        problem = problem_services.create_problem(author, data)
        problem.status = ProblemStatus.APPROVED
        db.session.commit()
        problem_id = problem.id

    page = phone()
    frame = open_app(page, telegram_client, live_server, theme, user(lang))
    go(frame, "/problems")
    frame.locator(f'a[href="/problems/{problem_id}"]').click()
    frame.locator("#answer").fill("4")
    press_main(page, frame)
    expect(frame.locator('[data-feedback="correct"]')).to_be_visible()
    check_page(page, frame, f"problems-{theme}-{lang}", lang)


@pytest.mark.parametrize(("theme", "lang"), VARIANTS)
def test_post_take_and_see_the_contact(phone, telegram_client, live_server, theme, lang):
    """Can a client post an order, and another user top up (development), take it and see
    the contact?"""
    from playwright.sync_api import expect

    client_page = phone()
    who = user(lang, "Клиент" if lang == "ru" else "Client")
    frame = open_app(client_page, telegram_client, live_server, theme, who)
    go(frame, "/orders")
    press_main(client_page, frame)  # Post an order
    frame.locator("#category").select_option(index=1)
    frame.locator("#city-text").fill("Каз" if lang == "ru" else "Kaz")  # the city typeahead
    frame.locator("#city-suggestions button.cell-main").first.click()
    expect(frame.locator("#city-text")).to_have_value("Казань" if lang == "ru" else "Kazan")
    frame.locator("#description").fill("Забрать посылку" if lang == "ru" else "Pick up a parcel")
    frame.locator("#contact").fill("+7 900 111-22-33")
    press_main(client_page, frame)  # Post the order
    expect(frame.locator("#order-panel")).to_be_visible()
    check_page(client_page, frame, f"order-posted-{theme}-{lang}", lang)

    page = phone()
    who = user(lang, "Исполнитель" if lang == "ru" else "Executor")
    frame = open_app(page, telegram_client, live_server, theme, who)
    go(frame, "/orders")
    go(frame, "/me")
    frame.locator("[name=rubles]").fill("500")
    frame.locator("form[hx-post='/me/recharge'] button").click()
    expect(frame.locator(".balance-amount")).to_contain_text("500")
    check_page(page, frame, f"me-{theme}-{lang}", lang)
    press(page, "back_button_pressed")
    frame.locator("#feed-list a.cell-main").first.click()
    expect(frame.locator("#order-panel")).to_be_visible()
    press_main(page, frame)  # Take
    expect(frame.locator(".contact")).to_have_text("+7 900 111-22-33")
    check_page(page, frame, f"order-taken-{theme}-{lang}", lang)


@pytest.mark.parametrize(("theme", "lang"), VARIANTS)
def test_task_statistics_panel(phone, telegram_client, live_server, theme, lang):
    """After ticking a task, does the statistics panel show it done today, with the chart
    drawn on the server (30 bars, today's the only one standing)?"""
    from playwright.sync_api import expect

    page = phone()
    frame = open_app(page, telegram_client, live_server, theme, user(lang))
    go(frame, "/tasks")
    frame.locator("#task-add [name=title]").fill("Молоко" if lang == "ru" else "Buy milk")
    press_main(page, frame)
    frame.locator("li.task").first.get_by_role("checkbox").check()
    expect(frame.locator("li.task-done")).to_have_count(1)
    frame.locator("#task-stats-link").click()
    expect(frame.locator("svg.task-chart")).to_be_visible()
    expect(frame.locator("rect.task-chart-bar")).to_have_count(30)
    expect(frame.locator("[data-stat=done_this_week] .cell-after")).to_have_text("1")
    assert frame.locator("rect.task-chart-bar").last.get_attribute("data-count") == "1"
    check_page(page, frame, f"task-stats-{theme}-{lang}", lang)


@pytest.mark.parametrize(("theme", "lang"), VARIANTS)
def test_log_training_and_see_progress(app, phone, telegram_client, live_server, theme, lang):
    """Can a user log an exercise twice from the MainButton and see its progress drawn as
    a server-side SVG (no chart script), then fill in their community profile on /me?"""
    from playwright.sync_api import expect

    from webapp.events.sports import seed_sports

    with app.app_context():
        seed_sports()  # the catalogue the migration seeds (the tables come from create_all)
        db.session.commit()

    page = phone()
    frame = open_app(page, telegram_client, live_server, theme, user(lang))
    go(frame, "/training")
    exercise = "Жим" if lang == "ru" else "Bench press"
    for weight in ("60", "62,5"):
        frame.locator("#training-add [name=exercise]").fill(exercise)
        frame.locator("#training-add [name=weight_kg]").fill(weight.replace(",", "."))
        frame.locator("#training-add [name=reps]").fill("8")
        press_main(page, frame)
        expect(frame.locator("[data-entry]")).to_have_count(1 if weight == "60" else 2)
    expect(frame.locator("svg.training-chart circle")).to_have_count(1)  # one day, heaviest
    assert frame.locator("svg.training-chart circle").get_attribute("data-kg") == "62.5"
    check_page(page, frame, f"training-{theme}-{lang}", lang)
    press(page, "back_button_pressed")  # Telegram's BackButton: home
    wait_for_path(frame, "/")
    go(frame, "/orders")
    go(frame, "/me")
    profile = frame.locator("#community-profile")
    city = "Казань" if lang == "ru" else "Kazan"
    profile.locator("[name=city]").fill(city)
    running = profile.locator("input[value=running]")
    profile.locator("label.cell-main").filter(has=frame.locator("input[value=running]")).click()
    expect(running).to_be_checked()
    expect(profile.locator("[name=city]")).to_have_value(city)
    with page.expect_response(lambda r: r.url.endswith("/me/profile")) as saved:
        profile.locator("button[type=submit]").click()
    assert saved.value.status == 200
    expect(frame.locator("#community-profile input[value=running]")).to_be_checked()
    expect(frame.locator("#community-profile [name=city]")).to_have_value(city)
