"""The per-process sign-in cache (`webapp.auth.user_cache`): no round trip for a caller seen
seconds ago, and bans or role changes still take effect quickly."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from tests.fixtures.users import headers_for
from webapp.auth import user_cache
from webapp.extensions import db
from webapp.users.models import Role, User


@pytest.fixture
def app_overrides() -> dict[str, Any]:
    return {"SIGN_IN_CACHE_SECONDS": 5}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(user_cache.users, "_clock", fake)
    user_cache.users.clear()
    yield fake
    user_cache.users.clear()


def user_selects(app, client, path: str, headers: dict[str, str]) -> tuple[int, int]:
    """(status, SELECTs on users) of one request."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM users" in statement:
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        status = client.get(path, headers=headers).status_code
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return status, len(seen)


def test_second_request_does_not_read_the_user(app, client, student, clock):
    """Does a caller whose initData was seen a moment ago cost no SELECT on users?"""
    headers = headers_for(student)
    status, selects = user_selects(app, client, "/api/tasks", headers)
    assert status == 200 and selects >= 1  # the first sign-in reads (and writes last_seen_at)
    assert user_selects(app, client, "/api/tasks", headers) == (200, 0)
    clock.now += 6  # past SIGN_IN_CACHE_SECONDS
    assert user_selects(app, client, "/api/tasks", headers) == (200, 1)


def test_ban_in_this_process_applies_at_once(app, client, admin, make_user, clock):
    """Is a user banned through the app refused on their very next request, although their
    row was remembered?"""
    target = make_user()
    headers = headers_for(target)
    assert client.get("/api/tasks", headers=headers).status_code == 200
    banned = client.patch(
        f"/api/users/{target.id}/ban", json={"banned": True}, headers=headers_for(admin)
    )
    assert banned.status_code == 200
    assert client.get("/api/tasks", headers=headers).status_code == 403


def test_change_elsewhere_applies_within_the_ttl(app, client, make_user, clock):
    """Is a ban written by another process (a plain UPDATE this process never saw) in force
    once SIGN_IN_CACHE_SECONDS have passed?"""
    target = make_user()
    headers = headers_for(target)
    assert client.get("/api/tasks", headers=headers).status_code == 200
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == target.id).values(is_banned=True))
        db.session.commit()
    clock.now += 6
    assert client.get("/api/tasks", headers=headers).status_code == 403


def test_role_change_applies_at_once(app, client, admin, make_user, clock):
    """Does a promotion show in the promoted user's next request?"""
    target = make_user()
    headers = headers_for(target)
    assert client.get("/api/problems/mine", headers=headers).status_code == 403
    promoted = client.patch(
        f"/api/users/{target.id}/role", json={"role": "teacher"}, headers=headers_for(admin)
    )
    assert promoted.status_code == 200
    assert client.get("/api/problems/mine", headers=headers).status_code == 200


def test_off_when_zero(app, client, student, clock):
    """With SIGN_IN_CACHE_SECONDS=0, is every request's user read from the database?"""
    app.config["SIGN_IN_CACHE_SECONDS"] = 0
    headers = headers_for(student)
    client.get("/api/tasks", headers=headers)
    assert user_selects(app, client, "/api/tasks", headers) == (200, 1)


def page_session(app, client, user: User) -> None:
    """A page session cookie for `user`, opened as the Mini App opens it."""
    raw = headers_for(user)["Authorization"][4:]
    opened = client.post("/auth/session", headers={"X-Telegram-Init-Data": raw})
    assert opened.status_code == 200


def test_a_page_session_seen_a_moment_ago_costs_no_select(app, client, student, clock):
    """Is a page request with a session cookie seen seconds ago answered without reading
    the user's row, and read again once the cache's seconds have passed?"""
    page_session(app, client, student)
    assert user_selects(app, client, "/tasks", {})[0] == 200
    assert user_selects(app, client, "/tasks", {}) == (200, 0)
    clock.now += 6
    assert user_selects(app, client, "/tasks", {}) == (200, 1)


def test_ending_the_sessions_refuses_a_remembered_cookie_at_once(app, make_user, clock):
    """After the dashboard's sign-out, does a copy of the cookie that the cache remembers
    open nothing, at once?"""
    from tests.admin.conftest import ADMIN_LOGIN, ADMIN_PASSWORD, cheap_hash, sign_in

    make_user(Role.ADMIN, login=ADMIN_LOGIN, password_hash=cheap_hash(ADMIN_PASSWORD))
    owner = app.test_client()
    assert sign_in(owner).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", owner.get_cookie("session").value)
    assert thief.get("/admin/").status_code == 200  # remembered now
    assert owner.post("/admin/logout").status_code == 302
    assert thief.get("/admin/").status_code == 302
