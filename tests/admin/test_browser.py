"""The dashboard in a real browser: sign in through the form, open the users list, screenshot."""

from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path

import pytest

from tests.admin.conftest import ADMIN_LOGIN, ADMIN_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}  # the real forms, tokens and all


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_admin_signs_in_and_sees_the_users_list(
    live_server, browser_page, dashboard_admin, make_user, tmp_path
):
    """Can an admin sign in with the real form in Chromium and see the users list?"""
    make_user(username="screenshot_target", first_name="Shown")
    page = browser_page
    page.goto(f"{live_server}/admin/users/")
    assert "/admin/login" in page.url  # not open without signing in
    page.fill("#username", ADMIN_LOGIN)
    page.fill("#password", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/admin/users/")
    assert "screenshot_target" in page.content()
    assert page.inner_text("[data-testid=admin-user]") == dashboard_admin.display_name

    shot = tmp_path / "admin-users.png"
    page.screenshot(path=str(shot), full_page=True)
    width, height = png_size(shot)
    assert width >= 1200 and height >= 300
    assert shot.stat().st_size > 10_000  # a rendered page, not a blank one
    keep = os.environ.get("HUB_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)


def test_wrong_password_in_the_browser(live_server, browser_page, dashboard_admin):
    """Does a wrong password in the browser keep the admin on the form with a message?"""
    page = browser_page
    page.goto(f"{live_server}/admin/login")
    page.fill("#username", ADMIN_LOGIN)
    page.fill("#password", "not the password")
    page.click("button[type=submit]")
    assert "Wrong username or password." in page.content()
    page.goto(f"{live_server}/admin/")
    assert "/admin/login" in page.url
