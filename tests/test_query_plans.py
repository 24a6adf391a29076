"""Is every list planned for its filters? Each list endpoint is called on PostgreSQL with
~100k rows in every big table; every statement it runs is `EXPLAIN`ed with its own
parameters, and a sequential scan of a big table fails the test.

It needs PostgreSQL in both passes of `.ci/run` (the SQLite pass uses the local server, as
the other PostgreSQL tests do), so it is never skipped on CI; the data is loaded set-based
(`INSERT … SELECT … FROM generate_series`) into a database of its own (~15 s on a quiet
2-core machine).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.fixtures.app import build_app
from tests.fixtures.services import create_postgres_database, drop_postgres_database
from tests.fixtures.users import tma_headers
from webapp.extensions import db

ROWS = 100_000
BIG = 20_000
"""A table with at least this many rows must never be read by a sequential scan."""

SEED = [
    # users 1..ROWS; user 1 is an admin, 2 a moderator, 3 a teacher; 100 + k own tasks
    """
    INSERT INTO users (telegram_id, first_name, language_code, is_premium, role, is_banned,
                       last_seen_at, created_at, updated_at)
    SELECT 5000 + g, 'User ' || g, 'en', false,
           CASE g WHEN 1 THEN 'admin' WHEN 2 THEN 'moderator' WHEN 3 THEN 'teacher'
                  ELSE (ARRAY['student', 'student', 'student', 'teacher'])[1 + g % 4] END,
           false, now(), now(), now()
    FROM generate_series(1, :rows) g
    """,
    """
    INSERT INTO orders (id, client_id, category, city, city_id, description, search_text,
                        contact, status, takes_count, created_at, updated_at, expires_at)
    SELECT substr(md5(g::text), 1, 12), 1 + g % 1000,
           (ARRAY['courier', 'repair', 'cleaning', 'moving', 'tutoring', 'it',
                  'other'])[1 + g % 7],
           (ARRAY['Moscow', 'Saint Petersburg', 'Kazan', 'Novosibirsk',
                  'Yekaterinburg'])[1 + g % 5],
           (ARRAY[524901, 498817, 551487, 1496747, 1486209])[1 + g % 5],
           'Order ' || g || piano, lower('Order ' || g || piano), '+7 900 ' || g,
           CASE WHEN g % 10 = 0 THEN 'expired' WHEN g % 10 = 1 THEN 'completed' ELSE 'active' END,
           0, now() - g * interval '1 second', now(), now() + interval '1 day'
    FROM generate_series(1, :rows) g,
         -- one order in 1,009 says "piano" (a word some orders hold, as in bench/lists.py)
         LATERAL (SELECT CASE WHEN g % 1009 = 0 THEN ', tune the Piano' ELSE '' END) p(piano)
    """,
    """
    INSERT INTO order_takes (order_id, executor_id, price, taken_at)
    SELECT substr(md5(g::text), 1, 12), 1 + (g * 7) % 5000, 200, now()
    FROM generate_series(1, :rows) g
    """,
    """
    INSERT INTO client_reviews (order_id, client_id, executor_id, rating, text, created_at)
    SELECT substr(md5(g::text), 1, 12), 1 + g % 1000, 1 + (g * 7) % 5000, 1 + g % 5, '', now()
    FROM generate_series(1, :rows) g
    """,
    """
    INSERT INTO balance_transactions (user_id, type, amount, balance_after, reference,
                                      created_at)
    SELECT 1 + g % 100, 'recharge', 100, 100 * g, 'seed-' || g, now()
    FROM generate_series(1, :rows) g
    """,
    """
    INSERT INTO tasks (owner_id, title, description, done, priority, created_at, updated_at)
    SELECT 1 + g % 100, 'Task ' || g, '', g % 4 = 0, (ARRAY['low', 'normal', 'high'])[1 + g % 3],
           now() - g * interval '1 second', now()
    FROM generate_series(1, :rows) g
    """,
    """
    INSERT INTO events (title, description, starts_at, location, participants_count,
                        creator_id, created_at, updated_at, kind, sport_key, level, join_mode,
                        city_id, latitude, longitude, version, waitlist_seq)
    SELECT 'Event ' || g, '', now() + (g - :rows / 2) * interval '10 minutes', '', 0,
           1 + g % 1000, now(), now(),
           CASE WHEN g % 3 = 0 THEN 'training' ELSE 'event' END,
           (ARRAY['running', 'football', 'basketball', 'volleyball', 'tennis', 'yoga', 'gym',
                  'cycling', 'swimming', 'hiking', 'other'])[1 + g % 11],
           (ARRAY['any', 'beginner', 'intermediate', 'advanced'])[1 + g % 4],
           CASE WHEN g % 2 = 0 THEN 'approval' ELSE 'open' END,
           (ARRAY[524901, 498817, 551487, 1496747, 1486209])[1 + g % 5],
           CASE WHEN g % 2 = 0 THEN 43 + (g % 2000) * 0.01 END,
           CASE WHEN g % 2 = 0 THEN 30 + (g % 3000) * 0.01 END,
           1, 0
    FROM generate_series(1, :rows) g
    """,
    """
    INSERT INTO event_requests (event_id, user_id, status, message, reason, position,
                                created_at)
    SELECT 2 + (g % 1000) * 2, 1 + g / 1000,
           (ARRAY['pending', 'waitlisted', 'rejected'])[1 + g % 3], '', '',
           CASE WHEN g % 3 = 1 THEN g END, now() - g * interval '1 second'
    FROM generate_series(1, :rows) g
    """,
    """
    INSERT INTO event_participants (event_id, user_id, joined_at)
    SELECT 1 + g % 1000, 1 + g / 1000, now() - g * interval '1 second'
    FROM generate_series(1, :rows) g
    """,
    """
    INSERT INTO problems (title, statement, answer, topic, difficulty, author_id, status,
                          version, created_at, updated_at)
    SELECT 'Problem ' || g, 'Solve ' || g, '42',
           'Topic ' || (g % 50), 1 + g % 5, 1 + g % 500,
           CASE WHEN g % 20 = 0 THEN 'pending' WHEN g % 20 = 1 THEN 'rejected'
                ELSE 'approved' END,
           1, now(), now() - g * interval '1 second'
    FROM generate_series(1, :rows) g
    """,
    """
    INSERT INTO attempts (user_id, problem_id, answer, is_correct, predicted_success, rated,
                          created_at)
    SELECT 1 + g % 100, 1 + g % :rows, '42', g % 3 = 0, 0.5, true,
           now() - g * interval '1 second'
    FROM generate_series(1, :rows) g
    """,
    """
    INSERT INTO training_entries (user_id, exercise, exercise_key, weight_g, reps, sets,
                                  done_at, created_at)
    SELECT 1 + g % 100, 'Ex ' || g % 20, 'ex ' || g % 20, 1000 * (g % 200), 5, 3,
           now() - g * interval '1 minute', now()
    FROM generate_series(1, :rows) g
    """,
    """
    INSERT INTO questionnaires (id, is_default, version, created_at, updated_at)
    VALUES (1, true, 1, now(), now())
    """,
    """
    INSERT INTO questionnaire_versions (id, questionnaire_id, number, title_en, title_ru,
                                        fields, created_at)
    VALUES (1, 1, 1, 'Ticket request', 'Заявка', '[]', now())
    """,
    """
    INSERT INTO ticket_forms (user_id, status, questionnaire_version_id, answers, search_text,
                              created_at, updated_at)
    SELECT 1 + g % 10000, (ARRAY['draft', 'submitted', 'approved', 'rejected'])[1 + g % 4], 1,
           json_build_object('name', 'Name ' || g, 'email', 'u' || g || '@example.com',
                             'phone', '+79000000000', 'ticket_type', 'standard',
                             'quantity', 1),
           'name ' || g, now() - g * interval '1 second', now()
    FROM generate_series(1, :rows) g
    """,
]

ADMIN, MODERATOR, TEACHER, OWNER = 1, 2, 3, 5  # user ids (OWNER owns 1,000 tasks)

# (who calls, path): every list endpoint with each filter that changes its plan
LISTS: list[tuple[int | None, str]] = [
    (None, "/api/orders"),
    (None, "/api/orders?category=repair"),
    (None, "/api/orders?city=Kazan"),
    (None, "/api/orders?category=repair&city=Kazan"),
    (None, "/api/orders?category=repair&city=Kazan&skip=40"),
    (None, "/api/orders?city=551487"),
    (None, "/api/orders?search=Order%2077777"),
    (None, "/api/orders?category=repair&city=Kazan&search=order%20123"),
    (None, "/api/orders?category=courier&city=Moscow&search=piano&limit=50"),
    (None, "/api/orders?sort=ending"),
    (OWNER, "/api/orders/mine?role=client"),
    (OWNER, "/api/orders/mine?role=executor"),
    (None, "/api/reviews"),
    (None, "/api/reviews?executor_id=8"),
    (OWNER, "/api/reviews?mine=true"),
    (8, "/api/reviews?about_me=true"),
    (None, "/api/users/8/executor-profile"),
    (OWNER, "/api/balance/transactions"),
    (OWNER, "/api/tasks"),
    (OWNER, "/api/tasks?status=false"),
    (OWNER, "/api/tasks?priority=high"),
    (OWNER, "/api/tasks?status=true&priority=low"),
    (OWNER, "/api/tasks?due=today"),
    (OWNER, "/api/tasks?due_on=2026-12-05"),
    (OWNER, "/api/events"),
    (OWNER, "/api/events?when=past"),
    (OWNER, "/api/events?when=all"),
    (OWNER, "/api/events/7/participants"),
    (OWNER, "/api/events?sport=running"),
    (OWNER, "/api/events?kind=training&level=advanced"),
    (OWNER, "/api/events?city=524901"),
    (OWNER, "/api/events?city=Kazan&sport=yoga&when=all"),
    (OWNER, "/api/events?date_from=2026-12-01&date_to=2026-12-31"),
    (OWNER, "/api/events?mine=created"),
    (OWNER, "/api/events?mine=joined"),
    (OWNER, "/api/events?mine=applied"),
    (OWNER, "/api/events?near=55.75,37.61&radius_km=50"),
    (13, "/api/events/12/applications"),
    (13, "/api/events/12/applications?status=waitlisted"),
    (OWNER, "/api/problems"),
    (OWNER, "/api/problems?topic=Topic%207"),
    (OWNER, "/api/problems?creator_id=7"),
    (OWNER, "/api/progress"),
    (MODERATOR, "/api/problems?status=pending"),
    (TEACHER, "/api/problems/mine"),
    (MODERATOR, "/api/problems/moderation"),
    (OWNER, "/api/attempts/my"),
    (OWNER, "/api/attempts/my/by-status?correct=true"),
    (OWNER, "/api/attempts/my/problem/5"),
    (OWNER, "/api/forms"),
    (ADMIN, "/api/admin/forms"),
    (ADMIN, "/api/admin/forms?status=submitted"),
    (ADMIN, "/api/admin/questionnaires"),
    (ADMIN, "/api/users"),
    (ADMIN, "/api/users?role=teacher"),
    (OWNER, "/api/training-log"),
    (OWNER, "/api/training-log?exercise=EX%207"),
    # the pages run the same services; their first screens
    (None, "/orders"),
    (OWNER, "/tasks"),
    (OWNER, "/tasks/calendar?month=2026-12&day=2026-12-05"),
    (OWNER, "/events"),
    (OWNER, "/problems"),
    (OWNER, "/training"),
]


@pytest.fixture(scope="module")
def loaded(postgres_server: str) -> Iterator[tuple[Flask, dict[str, int]]]:
    """A PostgreSQL database of this module's own, loaded with ~100k rows per big table (in
    both passes of the suite: plans are PostgreSQL's, whatever database the rest runs on)."""
    url = create_postgres_database(postgres_server)
    try:
        app = build_app(url)
        with app.app_context():
            db.create_all()
            # Load fast: indexes are built once after the rows (not row by row), the rows,
            # valid by construction, skip the foreign-key triggers, and the tables write no
            # WAL (UNLOGGED: a crash would empty them; the planner sees the same tables).
            indexes = [index for table in db.metadata.sorted_tables for index in table.indexes]
            with db.engine.begin() as conn:
                for index in indexes:
                    index.drop(conn)
                for table in reversed(db.metadata.sorted_tables):  # referring tables first
                    conn.execute(sa.text(f'ALTER TABLE "{table.name}" SET UNLOGGED'))
                conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
                for statement in SEED:
                    conn.execute(sa.text(statement), {"rows": ROWS})
                for index in indexes:
                    index.create(conn)
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))  # as autovacuum would
                sizes = {
                    name: conn.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one()
                    for name in db.metadata.tables
                }
        yield app, sizes
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        drop_postgres_database(url)


def headers(user_id: int | None) -> dict[str, str]:
    if user_id is None:
        return {}
    return tma_headers(5000 + user_id, first_name=f"User {user_id}", language_code="en")


def sequential_scans(plan: dict[str, Any], big: set[str]) -> list[str]:
    found = []
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in big:
        found.append(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found += sequential_scans(child, big)
    return found


@pytest.mark.parametrize(("user_id", "path"), LISTS)
def test_list_reads_no_big_table_sequentially(loaded, user_id, path):
    """Does any statement of this list read a big table by a sequential scan?"""
    app, sizes = loaded
    big = {name for name, rows in sizes.items() if rows >= BIG}
    captured: list[tuple[str, Any]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    client = app.test_client()
    client.get(path, headers=headers(user_id))  # the first call of a user signs them in
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", capture)
        try:
            answer = client.get(path, headers=headers(user_id))
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", capture)
        assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
        assert captured, "the list ran no SELECT"
        problems = []
        with db.engine.connect() as conn:
            for statement, parameters in captured:
                explained = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
                plan = explained.scalar_one()
                plan = json.loads(plan) if isinstance(plan, str) else plan
                scans = sequential_scans(plan[0]["Plan"], big)
                if scans:
                    problems.append(f"{scans}: {' '.join(statement.split())}\n{parameters}")
    assert not problems, "sequential scans:\n" + "\n\n".join(problems)


def index_names(plan: dict[str, Any]) -> set[str]:
    names = {plan["Index Name"]} if "Index Name" in plan else set()
    for child in plan.get("Plans", []):
        names |= index_names(child)
    return names


@pytest.mark.parametrize(
    ("search", "filters", "found"),
    [
        ("ORDER 77777", {}, ["Order 77777"]),
        # bench/lists.py's "market feed search": a word some orders hold (one in 1,009),
        # within one category and city (orders 35315 and 70630 of this seed, the second
        # expired)
        ("piano", {"category": "courier", "city": "Moscow"}, ["Order 35315"]),
    ],
)
def test_the_feed_search_walks_the_trigram_index(loaded, search, filters, found):
    """Does a selective `search=` — one order, or a word one order in 1,009 holds within a
    category and a city — find its orders through the trigram index (a few entries) instead
    of walking the feed's index through every active order, with the category and the city
    looked up in that index too?"""
    app, _sizes = loaded
    from webapp.market.cities import resolve_city
    from webapp.market.services import list_open_orders

    captured: list[tuple[str, Any]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", capture)
        try:
            city = resolve_city(filters["city"]) if "city" in filters else None
            page = list_open_orders(
                category=filters.get("category"),
                city_id=city.id if city is not None else None,
                search=search,
                limit=50,
            )
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", capture)
        assert [order.description.split(",")[0] for order in page.items] == found
        with db.engine.connect() as conn:
            for statement, parameters in captured:
                explained = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
                plan = explained.scalar_one()
                plan = json.loads(plan) if isinstance(plan, str) else plan
                assert "ix_orders_search_trgm" in index_names(plan[0]["Plan"]), statement
                # Category and city are looked up in the same index, not filtered after it.
                conditions = " ".join(index_conditions(plan[0]["Plan"]))
                for column in ("category", "city_id"):
                    if column.split("_")[0] in filters:
                        assert column in conditions, (statement, conditions)
        db.session.remove()


def index_conditions(plan: dict[str, Any]) -> list[str]:
    found = [plan["Index Cond"]] if "Index Cond" in plan else []
    for child in plan.get("Plans", []):
        found += index_conditions(child)
    return found
