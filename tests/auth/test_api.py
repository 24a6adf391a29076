"""Sign-in over HTTP: initData, tokens, passwords, logout, and the 401 reasons."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest

from tests.fixtures.app import TEST_BOT_TOKEN
from tests.fixtures.users import tma_headers
from webapp.auth import init_data


def test_me_with_tma_header_creates_the_user(client):
    """Does a first call with a signed initData create the user from its user object?"""
    headers = tma_headers(42, first_name="Ann", username="ann", language_code="ru")
    answer = client.get("/api/users/me", headers=headers)
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["telegram_id"] == 42
    assert body["username"] == "ann"
    assert body["role"] == "student"
    assert client.get("/api/users/me", headers=headers).get_json()["id"] == body["id"]


def test_init_data_header_is_accepted(client):
    """Is `X-Telegram-Init-Data` accepted like `Authorization: tma`?"""
    raw = init_data.build(TEST_BOT_TOKEN, {"id": 5, "first_name": "X"})
    assert client.get("/api/users/me", headers={"X-Telegram-Init-Data": raw}).status_code == 200


def _tampered() -> str:
    fields = dict(parse_qsl(init_data.build(TEST_BOT_TOKEN, {"id": 5, "first_name": "X"})))
    fields["auth_date"] = str(int(fields["auth_date"]) - 1)
    return urlencode(fields)


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "missing"),
        ({"Authorization": "tma "}, "malformed"),
        ({"Authorization": "Basic abc"}, "malformed"),
        ({"Authorization": "tma %zz"}, "malformed"),
        ({"Authorization": "tma " + _tampered()}, "bad-hash"),
        ({"Authorization": "tma " + init_data.build("1:other", {"id": 1})}, "bad-hash"),
        (
            {"Authorization": "tma " + init_data.build(TEST_BOT_TOKEN, {"id": 1}, auth_date=1)},
            "expired",
        ),
        (
            {
                "Authorization": "tma "
                + init_data.build(TEST_BOT_TOKEN, {"id": 1}, auth_date=4_000_000_000)
            },
            "future",
        ),
        ({"Authorization": "tma auth_date=1"}, "missing-hash"),
        ({"Authorization": "tma " + "x=" + "y" * 9000}, "malformed"),
        ({"Authorization": "Bearer not-a-jwt"}, "bad-token"),
    ],
)
def test_bad_credentials_are_401_problems_with_a_reason(client, headers, reason):
    """Does every bad credential answer 401 problem+json with an actionable reason?"""
    answer = client.get("/api/users/me", headers=headers)
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"
    body = answer.get_json()
    assert body["reason"] == reason
    assert body["status"] == 401
    assert body["detail"]


def test_telegram_token_exchange_and_logout(client):
    """Can initData be traded for a bearer token that later gets revoked on logout?"""
    raw = init_data.build(TEST_BOT_TOKEN, {"id": 77, "first_name": "Tok"})
    answer = client.post("/api/auth/telegram", json={"init_data": raw})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["token_type"] == "bearer"
    assert 0 < body["expires_in"] <= 3600
    assert body["user"]["telegram_id"] == 77
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    assert client.get("/api/users/me", headers=bearer).status_code == 200
    assert client.post("/api/auth/logout", headers=bearer).status_code == 204
    refused = client.get("/api/users/me", headers=bearer)
    assert refused.status_code == 401
    assert refused.get_json()["reason"] == "revoked"


def test_telegram_exchange_refuses_bad_init_data(client):
    """Does a bad initData in the body answer 401, and a missing one 422?"""
    answer = client.post("/api/auth/telegram", json={"init_data": "auth_date=1&hash=00"})
    assert answer.status_code == 401
    assert client.post("/api/auth/telegram", json={}).status_code == 422


def test_register_login_and_duplicate(client):
    """Can a password account register, sign in, and is a taken name a 409?"""
    created = client.post(
        "/api/auth/register", json={"username": "Teacher_1", "password": "correct horse"}
    )
    assert created.status_code == 201
    assert created.get_json()["user"]["role"] == "student"
    again = client.post(
        "/api/auth/register", json={"username": "teacher_1", "password": "another one"}
    )
    assert again.status_code == 409
    login = client.post(
        "/api/auth/login", json={"username": "TEACHER_1", "password": "correct horse"}
    )
    assert login.status_code == 200
    wrong = client.post("/api/auth/login", json={"username": "teacher_1", "password": "nope"})
    assert wrong.status_code == 401
    assert wrong.get_json()["reason"] == "bad-credentials"


def test_register_validates_fields(client):
    """Are a short password and a bad username 422 with field errors?"""
    answer = client.post("/api/auth/register", json={"username": "a b", "password": "short"})
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.get_json()["errors"]}
    assert {"username", "password"} <= fields


@pytest.fixture
def app_overrides():
    return {"ADMIN_USERNAME": "root", "ADMIN_PASSWORD": "admin-password-1"}


def test_configured_admin_signs_in_to_the_api(client):
    """Does the ADMIN_USERNAME/ADMIN_PASSWORD account sign in as an admin?"""
    answer = client.post(
        "/api/auth/login", json={"username": "root", "password": "admin-password-1"}
    )
    assert answer.status_code == 200
    assert answer.get_json()["user"]["role"] == "admin"
    wrong = client.post("/api/auth/login", json={"username": "root", "password": "guess"})
    assert wrong.status_code == 401


def test_banned_user_reads_own_profile_only(client, make_user):
    """Is a banned user refused everywhere but their own profile?"""
    from tests.fixtures.users import headers_for

    user = make_user(is_banned=True, ban_reason="spam")
    headers = headers_for(user)
    assert client.get("/api/users/me", headers=headers).status_code == 200
    refused = client.get(f"/api/users/{user.id}", headers=headers)
    assert refused.status_code == 403
    assert refused.get_json()["reason"] == "banned"


@pytest.mark.parametrize("app_overrides", [{"RATELIMIT_ENABLED": True}])
def test_password_sign_in_is_rate_limited(client, app_overrides):
    """Are repeated password sign-ins cut off with 429 problem+json and Retry-After?"""
    answers = [
        client.post("/api/auth/login", json={"username": "x", "password": "y"}) for _ in range(21)
    ]
    assert [a.status_code for a in answers[:20]] == [401] * 20
    limited = answers[20]
    assert limited.status_code == 429
    assert limited.mimetype == "application/problem+json"
    assert int(limited.headers["Retry-After"]) > 0


@pytest.mark.parametrize("app_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_csrf_guards_cookie_sessions_only(client, app_overrides):
    """Is a cookie-session page POST refused without the CSRF token, while a request signed
    by the initData header needs none, and a bad header is a 401 rather than a skipped check?"""
    raw = tma_headers(606, first_name="Csrf")["Authorization"][4:]
    assert client.post("/auth/session", headers={"X-Telegram-Init-Data": raw}).status_code == 200
    # The session cookie alone (no header, no token) cannot drive a state change.
    assert client.post("/auth/session").status_code == 400
    bad = client.post("/auth/session", headers={"X-Telegram-Init-Data": "auth_date=1&hash=0"})
    assert bad.status_code == 401
