"""Who gets into the dashboard: password sign-in, CSRF, rate limit, session, cookies."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.admin.conftest import ADMIN_LOGIN, ADMIN_PASSWORD, cheap_hash, csrf_token, sign_in
from tests.fixtures import app as app_fixtures
from tests.fixtures.users import headers_for
from webapp import create_app
from webapp.extensions import db
from webapp.users.models import Role, User

DASHBOARD_PAGES = [
    "/admin/",
    "/admin/users/",
    "/admin/users/manage/1",
    "/admin/users/new-account",
    "/admin/audit/",
    "/admin/outbox/",
    "/admin/jobs/",
    "/admin/tasks/",
    "/admin/events/",
    "/admin/events/1/participants",
    "/admin/participants/",
    "/admin/ticket-forms/",
    "/admin/ticket-forms/1/review",
    "/admin/ticket-forms/export",
    "/admin/ticket-forms/export.csv",
    "/admin/problems/",
    "/admin/problems/1/moderate",
    "/admin/attempts/",
]


@pytest.mark.parametrize("path", DASHBOARD_PAGES)
def test_strangers_are_sent_to_the_sign_in_form(client, path):
    """Does every dashboard page, the index included, send a stranger to /admin/login?"""
    answer = client.get(path)
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/admin/login?next=")


def test_strangers_cannot_post_changes(app, client, make_user):
    """Is a stranger's POST to a change endpoint refused (sent to sign in, nothing changed)?"""
    target = make_user()
    answer = client.post(f"/admin/users/manage/{target.id}/role", data={"role": "admin"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/login"
    with app.app_context():
        assert db.session.get(User, target.id).role == Role.STUDENT


def test_admin_signs_in_with_password(client, dashboard_admin):
    """Can an admin sign in with the password form and see the dashboard?"""
    answer = sign_in(client)
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/"
    home = client.get("/admin/")
    assert home.status_code == 200
    assert dashboard_admin.display_name in home.get_data(as_text=True)


@pytest.mark.parametrize(
    ("login", "password"), [(ADMIN_LOGIN, "wrong password"), ("nobody", ADMIN_PASSWORD)]
)
def test_wrong_credentials_are_refused(client, dashboard_admin, login, password):
    """Is a wrong password or unknown login a 401 that opens nothing?"""
    answer = sign_in(client, login, password)
    assert answer.status_code == 401
    assert "Wrong username or password." in answer.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("role", ["student", "teacher", "moderator"])
def test_non_admins_with_a_password_are_refused(client, make_user, role):
    """Can a teacher (or any non-admin) with a correct password open the dashboard? (No.)"""
    make_user(role, login="someone", password_hash=cheap_hash("a good long password"))
    answer = sign_in(client, "someone", "a good long password")
    assert answer.status_code == 403
    assert client.get("/admin/").status_code == 302


def test_banned_admin_is_refused(client, make_user):
    """Can a banned admin sign in to the dashboard? (No.)"""
    make_user(
        Role.ADMIN, login="banned", password_hash=cheap_hash("a good long password"), is_banned=True
    )
    assert sign_in(client, "banned", "a good long password").status_code == 403


def test_mini_app_session_of_an_admin_does_not_open_the_dashboard(client, admin):
    """Does an admin's Mini App session (initData, no password) open /admin? (No.)"""
    tma = headers_for(admin)["Authorization"].removeprefix("tma ")
    assert client.post("/auth/session", headers={"X-Telegram-Init-Data": tma}).status_code == 200
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/users/").status_code == 302


def test_a_demoted_admin_loses_access_at_once(app, admin_client, dashboard_admin):
    """Once an admin is demoted, does their open dashboard session stop working?"""
    assert admin_client.get("/admin/users/").status_code == 200
    with app.app_context():
        db.session.get(User, dashboard_admin.id).role = Role.TEACHER
        db.session.commit()
    assert admin_client.get("/admin/users/").status_code == 403


def test_sign_in_starts_a_fresh_session(client, dashboard_admin):
    """Does anything put in the session before signing in (by anyone) survive it? (No.)"""
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    assert sign_in(client).status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["admin_auth"] == dashboard_admin.id


def test_the_sign_in_page_shows_no_menu_to_strangers(client):
    """Does the sign-in page keep the dashboard's menu hidden from someone not signed in?"""
    page = client.get("/admin/login").get_data(as_text=True)
    assert 'name="password"' in page
    assert "/admin/users/" not in page and "/admin/audit/" not in page


def test_sign_out(admin_client):
    """Does signing out (a POST) close the dashboard session?"""
    answer = admin_client.post("/admin/logout")
    assert answer.status_code == 302
    assert admin_client.get("/admin/").status_code == 302


def test_a_copied_cookie_opens_nothing_after_sign_out(app, admin_client):
    """After POST /admin/logout, does a copy of the old session cookie (taken before the
    sign-out) still open /admin/ or /admin/users/? (No: the server ended the session.)"""
    copied = admin_client.get_cookie("session")
    assert copied is not None
    thief = app.test_client()
    thief.set_cookie("session", copied.value)
    assert thief.get("/admin/").status_code == 200  # the copy works while the session lives
    assert admin_client.post("/admin/logout").status_code == 302
    assert thief.get("/admin/").status_code == 302
    assert thief.get("/admin/users/").status_code == 302
    assert sign_in(admin_client).status_code == 302  # signing in again opens a new session
    assert admin_client.get("/admin/").status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/admin", "/me"])
def test_next_never_leaves_the_dashboard(client, dashboard_admin, target):
    """Can the `next` parameter send a freshly signed-in admin off the dashboard? (No.)"""
    answer = sign_in(client, next=target)
    assert answer.headers["Location"] == "/admin/"


def test_next_returns_to_the_page_asked_for(client, dashboard_admin):
    """After being sent to sign in from a page, does the admin land back on it?"""
    asked = client.get("/admin/audit/?page=0")
    assert asked.status_code == 302
    page = client.get(asked.headers["Location"]).get_data(as_text=True)
    assert 'value="/admin/audit/?page=0"' in page
    answer = sign_in(client, next="/admin/audit/?page=0")
    assert answer.headers["Location"] == "/admin/audit/?page=0"


def test_first_admin_comes_from_the_environment(schema):
    """Does ADMIN_USERNAME/ADMIN_PASSWORD create the first dashboard account on sign-in?"""
    application = app_fixtures.build_app(
        schema, {"ADMIN_USERNAME": "root", "ADMIN_PASSWORD": "s3cret-pass"}
    )
    client = application.test_client()
    try:
        assert sign_in(client, "root", "s3cret-pass").status_code == 302
        assert client.get("/admin/users/").status_code == 200
        with application.app_context():
            user = db.session.scalars(select(User).where(User.login == "root")).one()
            assert user.role == Role.ADMIN and user.password_hash != "s3cret-pass"
    finally:
        app_fixtures.empty_tables(application)
        with application.app_context():
            db.engine.dispose()


def test_dashboard_is_never_framed(client):
    """Does every dashboard answer forbid framing (even by Telegram)?"""
    answer = client.get("/admin/login")
    assert answer.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert answer.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_is_secure_outside_development():
    """In production, is the dashboard's session cookie Secure and HttpOnly?"""
    application = create_app(
        {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:9/none"},
        environ=app_fixtures.test_environ(
            APP_ENV="production",
            DATABASE_URL="postgresql://x@127.0.0.1:9/x",
            JOBS_INLINE="1",  # no periodic timer thread against that absent database
        ),
    )
    answer = application.test_client().get("/admin/login")
    assert answer.status_code == 200
    cookie = answer.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie


class TestWithCSRF:
    """The real CSRF protection of the dashboard's forms (the testing config turns it off)."""

    @pytest.fixture
    def app_overrides(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_sign_in_with_the_token(self, client, dashboard_admin):
        """With the form's csrf_token, does the password sign-in work?"""
        assert sign_in(client).status_code == 302
        assert client.get("/admin/").status_code == 200

    def test_sign_in_without_the_token_is_refused(self, client, dashboard_admin):
        """Without a csrf_token, is the right password refused (400) and nothing opened?"""
        answer = client.post(
            "/admin/login", data={"username": ADMIN_LOGIN, "password": ADMIN_PASSWORD}
        )
        assert answer.status_code == 400
        assert client.get("/admin/").status_code == 302

    def test_sign_in_with_a_forged_token_is_refused(self, client, dashboard_admin):
        """Is a token from another session refused?"""
        other = client.application.test_client()
        token = csrf_token(other.get("/admin/login").get_data(as_text=True))
        client.get("/admin/login")
        answer = client.post(
            "/admin/login",
            data={"username": ADMIN_LOGIN, "password": ADMIN_PASSWORD, "csrf_token": token},
        )
        assert answer.status_code == 400

    def test_changes_need_the_token(self, app, client, dashboard_admin, make_user):
        """Is a dashboard change without the csrf_token refused, and with it accepted?"""
        target = make_user()
        assert sign_in(client).status_code == 302
        url = f"/admin/users/manage/{target.id}/role"
        assert client.post(url, data={"role": "teacher"}).status_code == 400
        with app.app_context():
            assert db.session.get(User, target.id).role == Role.STUDENT
        page = client.get(f"/admin/users/manage/{target.id}").get_data(as_text=True)
        answer = client.post(url, data={"role": "teacher", "csrf_token": csrf_token(page)})
        assert answer.status_code == 302
        with app.app_context():
            assert db.session.get(User, target.id).role == Role.TEACHER

    def test_sign_out_needs_the_token(self, client, dashboard_admin):
        """Can another site sign the admin out with a bare POST? (No.)"""
        assert sign_in(client).status_code == 302
        assert client.post("/admin/logout").status_code == 400
        assert client.get("/admin/").status_code == 200


class TestRateLimit:
    @pytest.fixture
    def app_overrides(self):
        return {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "ADMIN_LOGIN_RATE_LIMIT": "3 per minute",
        }

    def test_sign_in_attempts_are_rate_limited(self, client, dashboard_admin):
        """After too many attempts, is even the right password answered 429?"""
        for _ in range(3):
            assert sign_in(client, password="wrong password").status_code == 401
        answer = sign_in(client)
        assert answer.status_code == 429
        assert "Retry-After" in answer.headers
        assert client.get("/admin/").status_code == 302
        assert client.get("/admin/login").status_code == 200  # the form itself stays readable
