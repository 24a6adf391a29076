"""Pooled connections are checked before use only after sitting idle
(`webapp.database.ping_when_idle`): no round trip per request under traffic, and a connection
the database dropped while it was idle is replaced before a request sees it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.fixtures.app import build_app
from tests.fixtures.clock import FakeClock
from webapp import database
from webapp.extensions import db

IDLE = 10.0


@pytest.fixture
def clock(monkeypatch, fake_clock: FakeClock) -> FakeClock:
    """`time.monotonic` for `webapp.database`, moved by `sleep` (no test waits or races)."""
    monkeypatch.setattr(database, "time", fake_clock)
    return fake_clock


def _counting_pings(app, monkeypatch) -> list[int]:
    pings: list[int] = []
    with app.app_context():
        dialect = db.engine.dialect
    real = dialect.do_ping

    def ping(dbapi_connection):
        pings.append(1)
        return real(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", ping)
    return pings


def _one_query(app) -> int:
    with app.app_context():
        value = db.session.scalar(sa.text("SELECT 1"))
        db.session.remove()
    return value


def test_a_connection_used_moments_ago_is_not_pinged(tmp_path, monkeypatch, clock):
    """Is a connection checked out again within the idle time used without a ping, and one
    idle longer pinged once before use?"""
    app = build_app(f"sqlite:///{tmp_path / 'ping.db'}", {"DB_PING_IDLE_SECONDS": IDLE})
    pings = _counting_pings(app, monkeypatch)
    assert _one_query(app) == 1  # a fresh connection: just made, not pinged
    for _ in range(5):
        clock.sleep(IDLE - 1)
        assert _one_query(app) == 1
    assert pings == []
    clock.sleep(IDLE + 1)
    assert _one_query(app) == 1
    assert pings == [1]
    with app.app_context():
        db.engine.dispose()


@pytest.mark.postgres
def test_a_connection_dropped_while_idle_is_replaced_unseen(postgres_url, monkeypatch, clock):
    """When PostgreSQL ends a pooled connection while it is idle (a restart, a proxy's
    timeout: here `pg_terminate_backend`), does the next request after the idle time get a
    new connection and succeed, instead of failing on the dead one?"""
    app = build_app(postgres_url, {"DB_PING_IDLE_SECONDS": IDLE})
    pings = _counting_pings(app, monkeypatch)
    with app.app_context():
        first = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
        db.session.remove()
        killer = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)
    with killer.connect() as conn:
        assert conn.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    killer.dispose()
    clock.sleep(IDLE + 1)
    with app.app_context():
        second = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
        db.session.remove()
        db.engine.dispose()
    assert second != first and pings == [1]
