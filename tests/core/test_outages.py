"""Failing parts: PostgreSQL stopped, Redis killed, restarted empty or frozen — on private
server processes this test starts, stops and kills (never the shared ones).

Each test prints how long the app took to answer normally again once the part came back.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from redis import Redis

from tests.fixtures.app import TEST_BOT_TOKEN, TEST_SECRET_KEY, build_app
from tests.fixtures.private_servers import PrivatePostgres, PrivateRedis, free_port, wait_for_port
from webapp.auth import tokens
from webapp.extensions import db, limiter
from webapp.users.models import Role, User

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
ADMIN = {"ADMIN_USERNAME": "outage-admin", "ADMIN_PASSWORD": "outage-password-123"}


@pytest.fixture
def build() -> Iterator[Callable[..., Flask]]:
    built: list[Flask] = []

    def make(database_url: str, overrides: dict[str, Any] | None = None) -> Flask:
        app = build_app(database_url, overrides, environ=ADMIN)
        with app.app_context():
            db.create_all()
        built.append(app)
        return app

    yield make
    for app in built:
        with app.app_context():
            db.engine.dispose()
    # The limiter is one object for every app: an app built with limits on switched it on
    # for the cached test apps too (they are built with limits off).
    limiter.enabled = False


def bearer_for(app: Flask, role: Role = Role.STUDENT) -> dict[str, str]:
    with app.app_context():
        user = User(role=role, telegram_id=777, first_name="Outage")
        db.session.add(user)
        db.session.flush()
        token = tokens.issue(user.id)
        db.session.commit()
    return {"Authorization": f"Bearer {token.token}"}


def wait_until(check: Callable[[], bool], timeout: float = 10.0) -> float:
    """Seconds until `check()` holds (polling every 20 ms); fails after `timeout`."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < timeout, "did not recover"
        time.sleep(0.02)
    return time.monotonic() - started


def test_postgres_stopped_answers_503_with_retry_after_and_recovers(
    build, private_postgres: PrivatePostgres
):
    """With PostgreSQL stopped, does the API answer 503 problem+json with Retry-After and do
    pages answer a 503 page (no 500, no server HTML error) — and once it is back, do
    requests succeed again within about a second with nothing lost?"""
    app = build(private_postgres.url)
    client = app.test_client()
    headers = bearer_for(app)
    assert client.get("/api/users/me", headers=headers).status_code == 200

    private_postgres.stop()  # immediate: every connection in the pool is now dead
    for path in ("/api/users/me", "/api/tasks"):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 503, (path, answer.get_data(as_text=True)[:300])
        assert answer.mimetype == "application/problem+json"
        assert int(answer.headers["Retry-After"]) > 0
        assert answer.get_json()["status"] == 503
    for path in ("/tasks", "/"):
        page = client.get(path, headers=headers)
        assert page.status_code == 503, path
        assert page.mimetype == "text/html" and page.headers["Retry-After"]
    assert client.get("/health").status_code == 503

    private_postgres.start()
    recovered = wait_until(lambda: client.get("/api/users/me", headers=headers).status_code == 200)
    print(f"PostgreSQL back: requests succeed again after {recovered:.2f} s")
    assert recovered < 3.0  # idle connections are pinged and replaced on first use
    assert client.get("/api/users/me", headers=headers).get_json()["first_name"] == "Outage"


def test_redis_down_or_empty_keeps_sign_in_and_revocation(
    build, schema: str, private_redis: PrivateRedis, caplog
):
    """With Redis killed, do bearer requests and /api/auth/login keep working (limits fail
    open, logged) while a revoked token stays refused — also after Redis comes back empty?"""
    app = build(
        schema,
        {"REDIS_URL": private_redis.url, "REDIS_KEY_PREFIX": "outage", "RATELIMIT_ENABLED": True},
    )
    client = app.test_client()
    headers = bearer_for(app)
    revoked = bearer_for_second_user(app)
    assert client.post("/api/auth/logout", headers=revoked).status_code == 204
    login = {"username": ADMIN["ADMIN_USERNAME"], "password": ADMIN["ADMIN_PASSWORD"]}
    assert client.post("/api/auth/login", json=login).status_code == 200

    private_redis.kill()
    with caplog.at_level(logging.WARNING):
        assert client.get("/api/users/me", headers=headers).status_code == 200
        assert client.post("/api/auth/login", json=login).status_code == 200
    assert any("rate limit" in r.getMessage().lower() for r in caplog.records)
    refused = client.get("/api/users/me", headers=revoked)
    assert refused.status_code == 401 and refused.get_json()["reason"] == "revoked"

    private_redis.start()  # empty: no persistence
    assert client.get("/api/users/me", headers=revoked).status_code == 401
    assert client.get("/api/users/me", headers=headers).status_code == 200
    redis = Redis.from_url(private_redis.url)
    recovered = wait_until(
        lambda: (
            client.post("/api/auth/login", json=login).status_code == 200
            and bool(redis.keys("*"))  # a private Redis: any key is a limit
        )
    )
    print(f"Redis back: rate limits counted in Redis again after {recovered:.2f} s")
    assert recovered < 3.0
    redis.close()
    with app.app_context():
        db.session.execute(db.delete(User).where(User.telegram_id.in_([777, 778])))
        db.session.commit()


def bearer_for_second_user(app: Flask) -> dict[str, str]:
    with app.app_context():
        user = User(role=Role.STUDENT, telegram_id=778, first_name="Revoked")
        db.session.add(user)
        db.session.flush()
        token = tokens.issue(user.id)
        db.session.commit()
    return {"Authorization": f"Bearer {token.token}"}


def test_a_frozen_redis_costs_a_request_about_a_second(
    build, schema: str, private_redis: PrivateRedis
):
    """With Redis frozen (SIGSTOP: connections hang, nothing answers), does a rate-limited
    sign-in and a bearer request still answer, each within about a second or two?"""
    app = build(
        schema,
        {"REDIS_URL": private_redis.url, "REDIS_KEY_PREFIX": "frozen", "RATELIMIT_ENABLED": True},
    )
    client = app.test_client()
    headers = bearer_for(app)
    login = {"username": ADMIN["ADMIN_USERNAME"], "password": ADMIN["ADMIN_PASSWORD"]}
    assert client.post("/api/auth/login", json=login).status_code == 200
    private_redis.freeze()
    try:
        started = time.monotonic()
        assert client.post("/api/auth/login", json=login).status_code == 200
        login_took = time.monotonic() - started
        started = time.monotonic()
        assert client.get("/api/users/me", headers=headers).status_code == 200
        bearer_took = time.monotonic() - started
    finally:
        private_redis.thaw()
    print(f"Redis frozen: sign-in took {login_took:.2f} s, a bearer request {bearer_took:.2f} s")
    # Each Redis call gives up after its socket timeout (1 s): about a second or two on a quiet
    # machine. Without a timeout the request would wait for Redis forever; the bound tells
    # the two apart with room for a loaded machine (4.8 s was seen for the bearer request).
    assert login_took < 10 and bearer_took < 10
    with app.app_context():
        db.session.execute(db.delete(User).where(User.telegram_id == 777))
        db.session.commit()


def test_under_gunicorn_a_stopped_postgres_never_gives_the_server_html_500(
    build, private_postgres: PrivatePostgres, tmp_path
):
    """Under gunicorn (two workers), with PostgreSQL stopped, do the API and the pages answer
    503 with Retry-After — never gunicorn's own HTML error page — and recover once it is back?

    Takes ~10-20 s: gunicorn starts two workers that each build the app.
    """
    app = build(private_postgres.url)
    headers = bearer_for(app)
    port = free_port()
    environ = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": private_postgres.url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "TELEGRAM_BOT_TOKEN": TEST_BOT_TOKEN,
        "JOBS_INLINE": "1",  # no periodic timer thread in the workers
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "LOG_LEVEL": "WARNING",
    }
    environ.pop("REDIS_URL", None)
    (tmp_path / "metrics").mkdir()
    log = (tmp_path / "gunicorn.log").open("wb")  # a full pipe would block the workers
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "wsgi:app", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_port(port, timeout=30)
        # The workers have booted (each builds the app: slow on a loaded machine).
        wait_until(lambda: _answers(base + "/version"), timeout=180)
        assert fetch(base + "/api/users/me", headers)[0] == 200
        private_postgres.stop()
        for _ in range(3):  # whichever worker answers
            for path, kind in (
                ("/api/users/me", "application/problem+json"),
                ("/tasks", "text/html"),
            ):
                status, content_type, retry_after, body = fetch(base + path, headers)
                assert status == 503, (path, body[:300])
                assert content_type.startswith(kind) and int(retry_after) > 0
                assert "Internal Server Error" not in body
        private_postgres.start()
        # It recovers by itself (no restart of gunicorn): the bound is generous, as the
        # machine may be loaded; the time it took goes to the log.
        recovered = wait_until(lambda: fetch(base + "/api/users/me", headers)[0] == 200, timeout=30)
        print(f"gunicorn: PostgreSQL back, requests succeed again after {recovered:.2f} s")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _answers(url: str) -> bool:
    try:
        return fetch(url, {})[0] == 200
    except OSError:
        return False


def fetch(url: str, headers: dict[str, str]) -> tuple[int, str, str, str]:
    """(status, Content-Type, Retry-After, body) of a GET, errors included."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.headers.get("Content-Type", ""), "", answer.read().decode()
    except urllib.error.HTTPError as error:
        body = error.read().decode(errors="replace")
        return (
            error.code,
            error.headers.get("Content-Type", ""),
            error.headers.get("Retry-After", "0"),
            body,
        )
