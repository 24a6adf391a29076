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
(`GET /api/orders?category=courier&city=Moscow&limit=50`, public), the same feed searched
for a word one order in 1,009 holds (`&search=piano`: found through the trigram index,
`ix_orders_search_trgm`), and 100 of a user's 10,000 tasks (`GET /api/tasks?limit=100`,
tma-signed). Rows are loaded set-based
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
# As the service stores them: the city's directory id beside its key, the description
# casefolded for `search=` (ASCII here, so lower() folds it as `services.orders.fold` does),
# and each order's own contact key (one active order per contact).
SEED_ORDERS = """
INSERT INTO orders (id, client_id, category, city, city_id, description, search_text, contact,
                    contact_key, status, takes_count, created_at, updated_at, expires_at)
SELECT id, client_id, category, city, city_id, description, lower(description), contact,
       '+7900000' || g, 'active', 0, created_at, created_at, now() + interval '1 day'
FROM (
    SELECT g, substr(md5(g::text), 1, 12) AS id, (SELECT min(id) FROM users) AS client_id,
           (ARRAY['courier', 'cleaning', 'repair'])[1 + g % 3] AS category,
           (ARRAY['Moscow', 'Kazan', 'Perm'])[1 + (g / 3) % 3] AS city,
           (ARRAY[:moscow, :kazan, :perm])[1 + (g / 3) % 3] AS city_id,
           'Order number ' || g || ': carry a parcel across the city before the evening'
           || CASE WHEN g % :rare = 0 THEN ', then tune the Piano' ELSE '' END AS description,
           '+7 900 000 ' || g AS contact, now() - g * interval '1 second' AS created_at
    FROM generate_series(:first, :last) g
) seeded
"""
SEARCH_RARITY = 1009  # one order in this many says "piano" (a prime: every category and city)
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
    span = {"first": 1, "last": rows, "per_owner": TASKS_PER_OWNER, "rare": SEARCH_RARITY}
    span |= _city_ids(app)
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
    span = {"first": SMALL + 1, "last": rows, "per_owner": TASKS_PER_OWNER, "rare": SEARCH_RARITY}
    span |= _city_ids(app)
    _load(app, [(SEED_ORDERS, span), (SEED_TASKS, span)])


def tma_headers(telegram_id: int) -> dict[str, str]:
    user = {"id": telegram_id, "first_name": "User 1", "language_code": "en"}
    return {"Authorization": f"tma {init_data.build(BOT_TOKEN, user)}"}


FEED = "/api/orders?category=courier&city=Moscow&limit=50"
FEED_SEARCH = FEED + "&search=piano"
TASKS = "/api/tasks?limit=100"


def _index_names(plan: dict[str, Any]) -> set[str]:
    names = {plan["Index Name"]} if "Index Name" in plan else set()
    for child in plan.get("Plans", []):
        names |= _index_names(child)
    return names


def _sql(app: Any, url: str, path: str, headers: dict[str, str]) -> dict[str, Any]:
    """The raw SQL one steady-state request runs: its ms on a raw connection, how many
    statements, the slowest one, the indexes their plans use, and the request's `total`."""
    capture_sql(app, path, headers)  # the first sign-in writes last_seen_at
    captured = capture_sql(app, path, headers)
    each = [(replay_ms(url, [st], repeat=30), st[0]) for st in captured]
    slowest = max(each, key=lambda pair: pair[0])[1] if each else ""
    indexes: set[str] = set()
    with app.app_context(), db.engine.connect() as conn:
        for statement, parameters in captured:
            explained = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
            indexes |= _index_names(explained.scalar_one()[0]["Plan"])
    body = app.test_client().get(path, headers=headers).get_json()
    return {
        "ms": replay_ms(url, captured),
        "statements": len(captured),
        "slowest": " ".join(slowest.split())[:70],
        "indexes": ", ".join(sorted(indexes)) or "none",
        "total": f"{body['total']}{'+' if body.get('total_capped') else ''}",
    }


def _lists(base: str, tma: dict[str, str], seconds: int) -> dict[str, dict[str, dict]]:
    measured = {}
    for name, path, headers in (
        ("market feed", FEED, {}),
        ("market feed search", FEED_SEARCH, {}),
        ("task list", TASKS, tma),
    ):
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
            # wrk reports 0 ms when no request finished in time (a stalled machine): that
            # is no figure, and a ratio of 0 must not read as a budget that holds.
            answered = run["rps"] > 0
            latency[kind] = run["latency_ms"] if answered else float("nan")
            errors = int(run["errors"])
            results.append(
                Result(
                    f"page {name}",
                    f"{kind} latency, 1 connection",
                    round(latency[kind], 2),
                    "ms",
                    f"GET {path}; non-2xx {errors}"
                    + ("" if answered else f"; no request finished in {seconds} s"),
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
                "market feed search": _sql(app, url, FEED_SEARCH, {}),
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

    budgets = {"market feed": 1.5, "market feed search": 1.5, "task list": 2.5}
    for name in budgets:
        for rows in (SMALL, LARGE):
            label = f"{rows // 1000}k rows" if rows < LARGE else "1M rows"
            sql = sizes[rows]["sql"][name]
            raw_ms = sql["ms"]
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
                    f"wrk -c1 {seconds}s; non-2xx {errors}; total {sql['total']}",
                ),
                Result(
                    name,
                    f"raw SQL of one request, {label}",
                    round(raw_ms, 2),
                    "ms",
                    f"{sql['statements']} statements; indexes {sql['indexes']}; "
                    f"slowest: {sql['slowest']}…",
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
                if name.startswith("market feed")
                else "the table grows tenfold; the user's 10,000 tasks do not",
            )
        )
    return results + page_results


if __name__ == "__main__":
    for row in run(seconds=2):
        print(row)
