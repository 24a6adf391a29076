"""The dashboard on a 390 px phone, in Chromium: every page fits the screen (no horizontal
scroll of the page: wide tables scroll inside their own box or fold), and the menu opens
from its button."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.admin.conftest import ADMIN_LOGIN, ADMIN_PASSWORD
from webapp.core import choices
from webapp.extensions import db
from webapp.outbox import queue_message

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def phone_page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="en-US"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the screen (0: it fits). The layout
    viewport's width (`clientWidth`, 390), not `innerWidth`: a phone zooms out to show a
    page wider than its screen, and `innerWidth` grows with it."""
    return int(
        page.evaluate(
            "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
            " - document.documentElement.clientWidth"
        )
    )


def cut_tables(page: Any) -> int:
    """How many tables are wider than their box (cut off, or scrolling sideways inside it)."""
    return int(
        page.evaluate(
            "Array.from(document.querySelectorAll('table, .table-responsive'))"
            ".filter((box) => box.scrollWidth > box.clientWidth + 1).length"
        )
    )


def test_every_dashboard_page_fits_a_phone(
    app, live_server, phone_page, dashboard_admin, make_user
):
    """Does each dashboard page (every menu entry, a user's page, a broadcast's report)
    fit 390 px without scrolling sideways, with no table cut off (a list's rows fold into
    labelled cards), and does the menu button open the menu?
    (A whole flow in one browser session: ~10 s.)"""
    for n in range(3):
        make_user(username=f"someone_with_a_rather_long_username_{n}", first_name="Долгое Имя")
    with app.app_context():
        queue_message(12345, "A message " * 30)
        for kind in ("category", "ticket_type"):  # the catalogues' pages list rows
            choices.seed_choices(kind)
        db.session.commit()
    page = phone_page
    page.goto(f"{live_server}/admin/login")
    page.fill("#username", ADMIN_LOGIN)
    page.fill("#password", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/admin/")

    toggler = page.locator(".navbar-toggler")
    assert toggler.is_visible()  # the menu is folded behind its button
    toggler.click()
    menu = page.locator(".navbar-collapse a.nav-link")
    menu.first.wait_for(state="visible")
    links = [
        href
        for href in menu.evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
        if href and href.startswith("/admin")
    ]
    assert "/admin/broadcasts/" in links and "/admin/analytics/" in links
    pages = sorted(
        {
            *links,
            "/admin/",
            f"/admin/users/manage/{dashboard_admin.id}",
            "/admin/users/new-account",
            "/admin/users/new-telegram-user",
        }
    )
    wide: dict[str, int] = {}
    cut: dict[str, int] = {}
    for path in pages:
        page.goto(f"{live_server}{path}")
        assert "/admin/login" not in page.url, path
        assert page.evaluate("document.documentElement.clientWidth") == PHONE["width"]
        if overflow(page) > 0:
            wide[path] = overflow(page)
        if cut_tables(page):
            cut[path] = cut_tables(page)
        if os.environ.get("HUB_SCREENSHOT_DIR"):
            name = path.strip("/").replace("/", "_") or "index"
            page.screenshot(path=f"{os.environ['HUB_SCREENSHOT_DIR']}/phone-{name}.png")
    assert wide == {}
    assert cut == {}
    page.goto(f"{live_server}/admin/users/")
    card = page.locator("table.model-list tbody tr").first
    assert card.evaluate("(row) => getComputedStyle(row).display") == "block"  # a card
    label = card.locator("td[data-label]").first
    assert label.evaluate("(td) => getComputedStyle(td, '::before').content") != "none"
