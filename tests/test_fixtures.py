"""The test harness itself: a test that leaves a transaction open on PostgreSQL does not
hold the next test's emptying of the tables; emptying leaves what a TRUNCATE would; a reused
PostgreSQL database is as empty as a new one; an app built with rate limits on does not turn
them on for the apps other tests share; tests that share a module fixture are grouped
for `--dist loadgroup`."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.fixtures import app as app_fixtures
from tests.fixtures.app import build_app, empty_tables, use_limiter_of
from tests.fixtures.services import empty_postgres_database
from webapp.extensions import db
from webapp.users.models import User


@pytest.mark.postgres
def test_a_stray_open_transaction_is_ended_before_the_tables_are_emptied(postgres_url, monkeypatch):
    """With another connection idle in a transaction that read `users` (a leak: its lock
    would make a TRUNCATE wait forever), are the tables still emptied, and that connection
    ended?"""
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
        with pytest.raises(sa.exc.OperationalError):
            stray.execute(sa.select(1))
    finally:
        stray.invalidate()
        with app.app_context():
            db.engine.dispose()


@pytest.mark.postgres
def test_emptied_tables_start_their_ids_again(postgres_url):
    """After a test wrote rows (and drew ids it rolled back), are all tables empty and does
    the next row get id 1 again, as after `TRUNCATE … RESTART IDENTITY`?"""
    app = build_app(postgres_url)
    with app.app_context():
        db.create_all()
        db.session.add_all([User(telegram_id=1, first_name="1"), User(telegram_id=2)])
        db.session.commit()
        db.session.add(User(telegram_id=1, first_name="again"))  # the id is drawn, then lost
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()
    empty_tables(app)
    with app.app_context():
        for table in db.metadata.sorted_tables:
            assert db.session.scalar(sa.select(sa.func.count()).select_from(table)) == 0
        user = User(telegram_id=3, first_name="3")
        db.session.add(user)
        db.session.commit()
        assert user.id == 1
        db.session.remove()
        db.engine.dispose()


@pytest.mark.postgres
def test_a_reused_postgres_database_is_as_empty_as_a_new_one(postgres_url):
    """After tables, an extension, a schema and a setting, does emptying the database leave
    only an empty `public` schema, with a connection left open ended?"""
    engine = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        left_open = engine.connect()
        with engine.connect() as conn:
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            conn.execute(sa.text("CREATE SCHEMA other"))
            conn.execute(sa.text("CREATE TABLE other.t (id serial PRIMARY KEY)"))
            conn.execute(sa.text("CREATE TABLE t (id serial PRIMARY KEY)"))
            database = conn.scalar(sa.text("SELECT current_database()"))
            conn.execute(sa.text(f"ALTER DATABASE \"{database}\" SET work_mem = '8MB'"))
        empty_postgres_database(postgres_url)
        with pytest.raises(sa.exc.OperationalError):
            left_open.execute(sa.text("SELECT 1"))
        with engine.connect() as conn:
            schemas = conn.scalars(
                sa.text(
                    "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%'"
                    " AND nspname <> 'information_schema'"
                )
            ).all()
            assert schemas == ["public"]
            assert (
                conn.scalar(
                    sa.text(
                        "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
                    )
                )
                == 0
            )
            assert conn.scalars(sa.text("SELECT extname FROM pg_extension")).all() == ["plpgsql"]
            assert conn.scalar(sa.text("SHOW work_mem")) != "8MB"
            # but a test database's own setting stays, as in a new one
            assert conn.scalar(sa.text("SHOW synchronous_commit")) == "off"
    finally:
        engine.dispose()


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


@pytest.fixture(scope="module")
def built_once_per_module() -> str:
    return "shared"


def test_tests_sharing_a_module_fixture_stay_on_one_process(request, built_once_per_module):
    """Is a test that uses a module-scoped fixture in its module's xdist group (so
    `--dist loadgroup` runs the module's such tests on one process, the fixture built once)?"""
    group = request.node.get_closest_marker("xdist_group")
    assert group is not None and group.args == ("tests/test_fixtures.py",)
    if getattr(request.config.option, "loadgroup", False):
        # xdist's scheduler reads the group from the node id's suffix, nothing else
        assert request.node.nodeid.endswith("@tests/test_fixtures.py"), request.node.nodeid


def test_other_tests_are_spread_one_by_one(request):
    """Is a test without a module-scoped fixture left ungrouped (free to run anywhere)?"""
    assert request.node.get_closest_marker("xdist_group") is None
