"""The test harness itself: a test that leaves a transaction open on PostgreSQL does not
hold the next test's emptying of the tables."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.fixtures import app as app_fixtures
from tests.fixtures.app import build_app, empty_tables
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
