"""The test harness itself: a test that leaves a transaction open on PostgreSQL does not
hold the next test's emptying of the tables; an app built with rate limits on does not turn
them on for the apps other tests share."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.fixtures import app as app_fixtures
from tests.fixtures.app import build_app, empty_tables, use_limiter_of
from webapp.extensions import db
from webapp.users.models import User


@pytest.mark.postgres
def test_a_stray_open_transaction_is_ended_before_the_tables_are_emptied(postgres_url, monkeypatch):
    """With another connection idle in a transaction that read `users` (its lock would make
    TRUNCATE wait forever), are the tables still emptied, and that connection ended?"""
    monkeypatch.setattr(app_fixtures, "TRUNCATE_LOCK_WAIT", "1s")
    app = build_app(postgres_url)
    with app.app_context():
        db.create_all()
        db.session.add(User(telegram_id=1, first_name="1"))
        db.session.commit()
        stray = db.engine.connect()
        stray.begin()
        stray.execute(sa.select(User.id)).all()  # holds a lock on users until it ends
    try:
        empty_tables(app)
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
    finally:
        stray.invalidate()
        with app.app_context():
            db.engine.dispose()


def _login_posts(client, times: int) -> list[int]:
    """Statuses of `times` sign-in posts (no CSRF token: the limit is checked first)."""
    return [client.post("/admin/login", data={}).status_code for _ in range(times)]


def test_an_app_built_with_limits_on_does_not_limit_the_shared_apps(app, schema):
    """Flask-Limiter's one object takes the state of the last app's init_app. After another
    app is built with limits on, the shared test app (limits off) must still be unlimited,
    once the fixture has given the limiter back its state; without that it is limited."""
    over_the_limit = 11  # the dashboard's sign-in allows 10 a minute
    limited = build_app(schema, {"RATELIMIT_ENABLED": True})
    try:
        assert 429 in _login_posts(app.test_client(), over_the_limit)  # the trap, as it was
        use_limiter_of(app)
        assert 429 not in _login_posts(app.test_client(), over_the_limit)
        use_limiter_of(limited)
        assert 429 in _login_posts(limited.test_client(), 1)  # its count went on
    finally:
        with limited.app_context():
            from webapp.extensions import limiter

            limiter.reset()
        use_limiter_of(app)
