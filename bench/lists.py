"""The market feed and the task list at 100k and at 1,000,000 rows, and the pages beside
their JSON endpoints — on PostgreSQL, under gunicorn (`gunicorn.conf.py`: 2 workers x 4
threads, production settings, Redis, LOG_LEVEL=WARNING).

Each figure is a ratio measured in the same run:
* app latency (wrk, one connection) / the raw SQL one request runs (captured with a
  SQLAlchemy event in the steady state, replayed on a raw psycopg connection);
* app throughput (wrk, 16 connections) / a bare Flask endpoint (`bench/bare_app.py`) under
  the same gunicorn settings;
* throughput at 1,000,000 rows / at 100k rows (the table grows; the page does not);
* each page (`/orders`, `/tasks`, `/events`, `/problems`) and its HTMX fragment / its JSON
  endpoint's latency, one connection.

The workloads are the issue's: the feed filtered by one city and one category, 50 rows
(`GET /api/orders?category=courier&city=Moscow&limit=50`, public), and 100 of a user's
10,000 tasks (`GET /api/tasks?limit=100`, tma-signed). Rows are loaded set-based
(`INSERT … SELECT … FROM generate_series`) with the tables' indexes built after the load,
then `VACUUM ANALYZE` (as autovacuum would).
"""

from __future__ import annotations

from typing import Any

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

SMALL = 100_000
LARGE = 1_000_000
TASKS_PER_OWNER = 10_000
SECONDS = 4
OWNER_TELEGRAM_ID = 1001

SEED_USERS = """
INSERT INTO users (telegram_id, first_name, language_code, is_premium, role, is_banned,
                   created_at, updated_at)
SELECT 1000 + g, 'User ' || g, 'en', false, 'student', false, now(), now()
FROM generate_series(1, :owners) g
"""
SEED_ORDERS = """
INSERT INTO orders (id, client_id, category, city, city_id, description, contact, status,
                    takes_count, created_at, updated_at, expires_at)
SELECT substr(md5(g::text), 1, 12), (SELECT min(id) FROM users),
       (ARRAY['courier', 'cleaning', 'repair'])[1 + g % 3],
       (ARRAY['Moscow', 'Kazan', 'Perm'])[1 + (g / 3) % 3],
       (ARRAY[:moscow, :kazan, :perm])[1 + (g / 3) % 3],
       'Order number ' || g || ': carry a parcel across the city before the evening',
       '+7 900 000 ' || g, 'active', 0,
       now() - g * interval '1 second', now() - g * interval '1 second', now() + interval '1 day'
FROM generate_series(:first, :last) g
"""
SEED_TASKS = """
INSERT INTO tasks (owner_id, title, description, done, priority, created_at, updated_at)
SELECT u.id, 'Task ' || g, 'Something to do, number ' || g, g % 4 = 0,
       (ARRAY['low', 'normal', 'high'])[1 + g % 3],
       now() - g * interval '1 second', now() - g * interval '1 second'
FROM generate_series(:first, :last) g
JOIN users u ON u.telegram_id = 1000 + 1 + (g - 1) / :per_owner
"""
SEED_EVENTS = """
INSERT INTO events (title, description, starts_at, location, participants_count, creator_id,
                    created_at, updated_at)
SELECT 'Event ' || g, 'A meetup about things, number ' || g,
       now() + g * interval '1 hour', 'Hall ' || g % 7, 0, (SELECT min(id) FROM users),
       now(), now()
FROM generate_series(1, 1000) g
"""
SEED_PROBLEMS = """
INSERT INTO problems (title, statement, answer, topic, difficulty, author_id, status, version,
                      created_at, updated_at)
SELECT 'Problem ' || g, 'Compute ' || g || ' + 1.', (g + 1)::text, 'Topic ' || g % 20,
       1 + g % 5, (SELECT min(id) FROM users), 'approved', 1, now(), now()
FROM generate_series(1, 1000) g
"""
GROWN_TABLES = ("orders", "tasks")


def _load(app: Any, statements: list[tuple[str, dict[str, int]]]) -> None:
    """Run inserts with the grown tables' indexes dropped and rebuilt once after (far faster
    than maintaining them row by row), then VACUUM ANALYZE."""
    with app.app_context():
        indexes = [
            index
            for table in db.metadata.sorted_tables
            if table.name in GROWN_TABLES
            for index in table.indexes
        ]
        with db.engine.begin() as conn:
            for index in indexes:
                index.drop(conn)
            for statement, params in statements:
                conn.execute(sa.text(statement), params)
            for index in indexes:
                index.create(conn)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))


def _city_ids(app: Any) -> dict[str, int]:
    """The directory ids of the seeded cities: the feed filters by `city_id` (an order
    without one is a row older than the directory, which no city filter finds)."""
    from webapp.market.cities import resolve_city

    with app.app_context():
        found = {key.lower(): resolve_city(key) for key in ("Moscow", "Kazan", "Perm")}
    missing = [key for key, city in found.items() if city is None]
    if missing:
        raise RuntimeError(f"the city directory does not know {missing}")
    return {key: city.id for key, city in found.items() if city is not None}


def seed(app: Any, rows: int = SMALL) -> int:
    """`rows` orders and tasks (10,000 per owner), 1,000 events and problems; return the
    telegram id of a user who owns 10,000 tasks."""
    owners = LARGE // TASKS_PER_OWNER
    span = {"first": 1, "last": rows, "per_owner": TASKS_PER_OWNER, **_city_ids(app)}
    _load(
        app,
        [
            (SEED_USERS, {"owners": owners}),
            (SEED_ORDERS, span),
            (SEED_TASKS, span),
            (SEED_EVENTS, {}),
            (SEED_PROBLEMS, {}),
        ],
    )
    return OWNER_TELEGRAM_ID


def grow(app: Any, rows: int) -> None:
    """Add orders and tasks up to `rows` each (the signed-in user's tasks stay 10,000)."""
    span = {"first": SMALL + 1, "last": rows, "per_owner": TASKS_PER_OWNER, **_city_ids(app)}
    _load(app, [(SEED_ORDERS, span), (SEED_TASKS, span)])


def tma_headers(telegram_id: int) -> dict[str, str]:
    user = {"id": telegram_id, "first_name": "User 1", "language_code": "en"}
    return {"Authorization": f"tma {init_data.build(BOT_TOKEN, user)}"}


FEED = "/api/orders?category=courier&city=Moscow&limit=50"
TASKS = "/api/tasks?limit=100"


def _sql(app: Any, url: str, path: str, headers: dict[str, str]) -> tuple[float, int, str]:
    """(ms of the raw SQL one steady-state request runs, statements, the slowest one)."""
    capture_sql(app, path, headers)  # the first sign-in writes last_seen_at
    captured = capture_sql(app, path, headers)
    each = [(replay_ms(url, [st], repeat=30), st[0]) for st in captured]
    slowest = max(each, key=lambda pair: pair[0])[1] if each else ""
    return replay_ms(url, captured), len(captured), " ".join(slowest.split())[:70]


def _lists(base: str, tma: dict[str, str], seconds: int) -> dict[str, dict[str, dict]]:
    measured = {}
    for name, path, headers in (("market feed", FEED, {}), ("task list", TASKS, tma)):
        wrk(base + path, seconds=1, connections=2, headers=headers)  # warm both workers
        measured[name] = {
            "one": wrk(base + path, seconds=seconds, connections=1, threads=1, headers=headers),
            "many": wrk(base + path, seconds=seconds, connections=16, headers=headers),
        }
    return measured


PAGES = [
    # (page, full page, its HTMX fragment (path, extra headers), its JSON endpoint)
    ("/orders", "/orders", ("/orders/feed", {}), "/api/orders"),
    ("/tasks", "/tasks", ("/tasks", {"HX-Target": "task-results"}), "/api/tasks?limit=50"),
    ("/events", "/events", ("/events", {"HX-Target": "event-list"}), "/api/events?limit=50"),
    ("/problems", "/problems", ("/problems", {}), "/api/problems?limit=20"),
]


def _pages(base: str, tma: dict[str, str], seconds: int) -> list[Result]:
    results = []
    for name, page, (fragment, extra), api in PAGES:
        latency = {}
        for kind, path, headers in (
            ("JSON", api, tma),
            ("full page", page, tma),
            ("fragment", fragment, {**tma, "HX-Request": "true", **extra}),
        ):
            wrk(base + path, seconds=1, connections=1, threads=1, headers=headers)
            run = wrk(base + path, seconds=seconds, connections=1, threads=1, headers=headers)
            latency[kind] = run["latency_ms"]
            errors = int(run["errors"])
            results.append(
                Result(
                    f"page {name}",
                    f"{kind} latency, 1 connection",
                    round(run["latency_ms"], 2),
                    "ms",
                    f"GET {path}; non-2xx {errors}",
                )
            )
        for kind, budget in (("full page", 1.5), ("fragment", 1.2)):
            ratio = latency[kind] / latency["JSON"]
            verdict = "holds" if ratio <= budget else "MISSED"
            results.append(
                Result(
                    f"page {name}",
                    f"ratio {kind} / JSON",
                    round(ratio, 2),
                    "x",
                    f"budget ≤ {budget}: {verdict}",
                )
            )
    return results


def run(*, seconds: int = SECONDS) -> list[Result]:
    results: list[Result] = []
    sizes: dict[int, dict[str, Any]] = {}
    with postgres_database() as url, redis_prefix() as redis:
        environ = app_environ(url, **redis)
        app = make_app(url, {"JOBS_INLINE": True})
        tma = tma_headers(seed(app, SMALL))
        page_results: list[Result] = []
        for rows in (SMALL, LARGE):
            if rows == LARGE:
                grow(app, LARGE)
            sql = {
                "market feed": _sql(app, url, FEED, {}),
                "task list": _sql(app, url, TASKS, tma),
            }
            with gunicorn("wsgi:app", environ) as base:
                measured = _lists(base, tma, seconds)
                if rows == SMALL:
                    page_results = _pages(base, tma, max(2, seconds - 1))
            sizes[rows] = {"sql": sql, "measured": measured}
        dispose(app)
    with gunicorn("bench.bare_app:app", {}) as base:
        bare_one = wrk(base + "/ping", seconds=seconds, connections=1, threads=1)
        bare = wrk(base + "/ping", seconds=seconds, connections=16)

    budgets = {"market feed": 1.5, "task list": 2.5}
    for name in ("market feed", "task list"):
        for rows in (SMALL, LARGE):
            label = f"{rows // 1000}k rows" if rows < LARGE else "1M rows"
            raw_ms, statements, slowest = sizes[rows]["sql"][name]
            one = sizes[rows]["measured"][name]["one"]
            many = sizes[rows]["measured"][name]["many"]
            errors = int(one["errors"] + many["errors"])
            ratio_sql = one["latency_ms"] / raw_ms
            ratio_bare = many["rps"] / bare["rps"]
            results += [
                Result(
                    name,
                    f"app latency, 1 connection, {label}",
                    round(one["latency_ms"], 2),
                    "ms",
                    f"wrk -c1 {seconds}s; non-2xx {errors}",
                ),
                Result(
                    name,
                    f"raw SQL of one request, {label}",
                    round(raw_ms, 2),
                    "ms",
                    f"{statements} statements; slowest: {slowest}…",
                ),
                Result(
                    name,
                    f"ratio app / raw SQL, {label}",
                    round(ratio_sql, 2),
                    "x",
                    f"budget ≤ {budgets[name]}: "
                    + ("holds" if ratio_sql <= budgets[name] else "MISSED"),
                ),
                Result(
                    name,
                    f"throughput, 16 connections, {label}",
                    round(many["rps"]),
                    "req/s",
                    "gunicorn.conf.py, 2 workers x 4 threads",
                ),
                Result(
                    name,
                    f"ratio throughput app / bare Flask, {label}",
                    round(ratio_bare, 3),
                    "x",
                    f"bare Flask /ping {round(bare['rps'])} req/s (1 connection: "
                    f"{bare_one['latency_ms']:.2f} ms); budget ≥ 0.1: "
                    + ("holds" if ratio_bare >= 0.1 else "MISSED"),
                ),
            ]
        growth = (
            sizes[LARGE]["measured"][name]["many"]["rps"]
            / sizes[SMALL]["measured"][name]["many"]["rps"]
        )
        results.append(
            Result(
                name,
                "ratio throughput 1M rows / 100k rows",
                round(growth, 2),
                "x",
                "budget ≥ 0.8: " + ("holds" if growth >= 0.8 else "MISSED")
                if name == "market feed"
                else "the table grows tenfold; the user's 10,000 tasks do not",
            )
        )
    return results + page_results


if __name__ == "__main__":
    for row in run(seconds=2):
        print(row)
