"""Market feed (`GET /api/orders`, public) and task list (`GET /api/tasks`, tma-signed) with
100k rows on PostgreSQL, under gunicorn (`gunicorn.conf.py`, 2 workers, LOG_LEVEL=WARNING).

* latency: wrk with one connection against the app, beside `replay_ms` of the SQL statements
  one request runs (captured with a SQLAlchemy event) on a raw connection → app / raw SQL;
* throughput: wrk with 16 connections against the app, beside a bare Flask endpoint
  (`bench/bare_app.py`) under the same gunicorn settings → app / bare.

Seeding is set-based (`INSERT … SELECT … FROM generate_series`): 100k active orders (all
visible in the feed: the worst case for its `count`), and 100k tasks over 100 users (the
signed-in user owns 1,000 of them).
"""

from __future__ import annotations

import sqlalchemy as sa

from bench.common import (
    BOT_TOKEN,
    Result,
    app_environ,
    dispose,
    make_app,
    postgres_database,
    redis_prefix,
)
from bench.web import capture_sql, gunicorn, replay_ms, wrk
from webapp.auth import init_data
from webapp.extensions import db

ROWS = 100_000
TASK_OWNERS = 100
SECONDS = 5

SEED_USERS = """
INSERT INTO users (telegram_id, first_name, language_code, is_premium, role, is_banned,
                   created_at, updated_at)
SELECT 1000 + g, 'User ' || g, 'en', false, 'student', false, now(), now()
FROM generate_series(1, :owners) g
"""
SEED_ORDERS = """
INSERT INTO orders (id, client_id, category, city, description, contact, status, takes_count,
                    created_at, updated_at, expires_at)
SELECT substr(md5(g::text), 1, 12), (SELECT min(id) FROM users),
       (ARRAY['courier', 'cleaning', 'repair'])[1 + g % 3],
       (ARRAY['Moscow', 'Kazan', 'Perm'])[1 + g % 3],
       'Order number ' || g || ': carry a parcel across the city before the evening',
       '+7 900 000 ' || g, 'active', 0,
       now() - g * interval '1 second', now() - g * interval '1 second', now() + interval '1 day'
FROM generate_series(1, :rows) g
"""
SEED_TASKS = """
INSERT INTO tasks (owner_id, title, description, done, priority, created_at, updated_at)
SELECT u.id, 'Task ' || g, 'Something to do, number ' || g, g % 4 = 0,
       (ARRAY['low', 'normal', 'high'])[1 + g % 3],
       now() - g * interval '1 second', now() - g * interval '1 second'
FROM generate_series(1, :rows) g
JOIN users u ON u.telegram_id = 1000 + 1 + g % :owners
"""


def seed(app) -> int:
    """Fill the tables set-based; return the telegram id of a user who owns 1,000 tasks."""
    with app.app_context():
        params = {"rows": ROWS, "owners": TASK_OWNERS}
        for statement in (SEED_USERS, SEED_ORDERS, SEED_TASKS):
            db.session.execute(sa.text(statement), params)
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))  # as autovacuum would
    return 1001


def run(*, seconds: int = SECONDS) -> list[Result]:
    results: list[Result] = []
    with postgres_database() as url:
        app = make_app(url, {"JOBS_INLINE": True})
        telegram_id = seed(app)
        user = {"id": telegram_id, "first_name": "User 1", "language_code": "en"}
        raw_init = init_data.build(BOT_TOKEN, user)
        tma = {"Authorization": f"tma {raw_init}"}
        endpoints = [
            ("market feed", "/api/orders", {}),
            ("task list", "/api/tasks", tma),
        ]
        raw_ms = {}
        statements = {}
        slowest = {}
        for name, path, headers in endpoints:
            capture_sql(app, path, headers)  # the first sign-in refreshes last_seen_at
            captured = capture_sql(app, path, headers)  # the steady state: read-only
            statements[name] = len(captured)
            raw_ms[name] = replay_ms(url, captured)
            each = [(replay_ms(url, [st], repeat=50), st[0]) for st in captured]
            slowest[name] = max(each, key=lambda pair: pair[0])
        dispose(app)

        with redis_prefix() as redis, gunicorn("wsgi:app", app_environ(url, **redis)) as base:
            wrk(base + "/api/orders", seconds=1, connections=2)  # warm both workers
            measured = {}
            for name, path, headers in endpoints:
                one = wrk(base + path, seconds=seconds, connections=1, threads=1, headers=headers)
                many = wrk(base + path, seconds=seconds, connections=16, headers=headers)
                measured[name] = (one, many)
        with gunicorn("bench.bare_app:app", {}) as base:
            bare = wrk(base + "/ping", seconds=seconds, connections=16)

    for name, _path, _headers in endpoints:
        one, many = measured[name]
        errors = int(one["errors"] + many["errors"])
        results += [
            Result(
                name,
                "app latency, 1 connection",
                round(one["latency_ms"], 2),
                "ms",
                f"{ROWS // 1000}k rows; wrk -c1 {seconds}s; non-2xx {errors}",
            ),
            Result(
                name,
                "raw SQL of one request",
                round(raw_ms[name], 2),
                "ms",
                f"{statements[name]} statements replayed on a raw psycopg connection",
            ),
            Result(
                name,
                "slowest statement alone",
                round(slowest[name][0], 2),
                "ms",
                " ".join(slowest[name][1].split())[:60] + "…",
            ),
            Result(
                name,
                "ratio app / raw SQL",
                round(one["latency_ms"] / raw_ms[name], 2),
                "x",
                "",
            ),
            Result(
                name,
                "throughput, 16 connections",
                round(many["rps"]),
                "req/s",
                "gunicorn.conf.py, 2 workers x 4 threads",
            ),
            Result(
                name,
                "ratio throughput app / bare Flask",
                round(many["rps"] / bare["rps"], 2),
                "x",
                f"bare Flask /ping: {round(bare['rps'])} req/s, same gunicorn",
            ),
        ]
    return results


if __name__ == "__main__":
    for row in run(seconds=2):
        print(row)
