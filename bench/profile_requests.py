"""Where one request's time goes, for every endpoint the list and page benchmarks measure:
cProfile in-process (the Flask test client) on PostgreSQL with the benchmark's rows, the
production settings and Redis, beside deterministic counts (SQL statements, bytes, Python
function calls) that do not swing with the machine's load.

    .venv/bin/python bench/profile_requests.py [requests] [--top N] [--only SUBSTRING]

`HUB_PROFILE_DATABASE_URL` reuses a database (seeded on first use) instead of a fresh one,
to compare before and after a change on the same rows. Not part of `bench/run.py`.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import dispose, make_app, postgres_database, redis_prefix
from bench.lists import FEED, PAGES, SMALL, TASKS, seed, tma_headers
from bench.takes import SEED as TAKE_SEED
from bench.takes import _headers as take_headers
from bench.takes import _order
from webapp.extensions import db

TAKE_ORDERS = 400


def _endpoints(tma: dict[str, str]) -> list[tuple[str, str, str, dict[str, str]]]:
    """(label, method, path, headers) of every request profiled."""
    rows = [("feed JSON", "GET", FEED, {}), ("task list JSON", "GET", TASKS, tma)]
    for name, page, (fragment, extra), api in PAGES:
        rows += [
            (f"{name} JSON", "GET", api, tma),
            (f"{name} full page", "GET", page, tma),
            (f"{name} fragment", "GET", fragment, {**tma, "HX-Request": "true", **extra}),
        ]
    return rows


def _seed_takes(app: Any) -> dict[str, str]:
    """A funded executor and orders to take (the take benchmark's rows, fewer executors)."""
    from webapp.market import money
    from webapp.market.models import TransactionType

    with app.app_context():
        if db.session.scalar(sa.text("SELECT count(*) FROM users WHERE telegram_id = 7001")):
            return take_headers(7001)
        for statement in TAKE_SEED.split(";")[:-1]:
            db.session.execute(sa.text(statement), {"executors": 1, "orders": TAKE_ORDERS})
        user_id = db.session.scalar(sa.text("SELECT id FROM users WHERE telegram_id = 7001"))
        money.credit(user_id, 1_000_000, TransactionType.RECHARGE, "profile")
        db.session.commit()
    return take_headers(7001)


class Counter:
    """SQL statements issued while counting."""

    def __init__(self, app: Any) -> None:
        with app.app_context():
            self.engine = db.engine
        self.statements = 0

    def __enter__(self) -> Counter:
        sa.event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc: object) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args: object) -> None:
        self.statements += 1


def profile(app: Any, label: str, requests: list[Any], top: int) -> str:
    """`requests`: callables, each sends one request and returns the response."""
    client_calls = len(requests)
    for send in requests[:5]:  # warm caches and prepared statements
        assert send().status_code < 300
    measured = requests[5:]
    with Counter(app) as counter:
        response = measured[0]()
    statements, size = counter.statements, len(response.get_data())
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for send in measured[1:]:
        answer = send()
    profiler.disable()
    assert answer.status_code < 300, answer.status_code
    n = client_calls - 6
    mean_ms = (time.perf_counter() - started) * 1000 / n
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    calls = stats.total_calls / n  # type: ignore[attr-defined]
    stats.sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(top)
    body = "\n".join(
        line for line in out.getvalue().splitlines() if line.strip() and "{" not in line[:60]
    )
    head = (
        f"== {label}: {mean_ms:.2f} ms/request in-process (profiled, {n} requests), "
        f"{statements} SQL statements, {size} bytes, {calls:.0f} Python calls/request"
    )
    return head + "\n" + body[body.find("   ncalls") :]


def run(requests: int, top: int, only: str | None) -> None:
    reuse = os.environ.get("HUB_PROFILE_DATABASE_URL")
    with (
        _reused(reuse) if reuse else postgres_database() as url,
        redis_prefix() as redis,
    ):
        app = make_app(url, {"JOBS_INLINE": True, "BOT_DELIVERY": "off"}, **redis)
        with app.app_context():
            seeded = db.session.scalar(sa.text("SELECT count(*) FROM orders")) >= SMALL
        tma = tma_headers(seed(app, SMALL) if not seeded else 1001)
        client = app.test_client()
        for label, method, path, headers in _endpoints(tma):
            if only and only not in label:
                continue
            sends = [
                (lambda p=path, h=headers, m=method: client.open(p, method=m, headers=h))
                for _ in range(requests + 6)
            ]
            print(profile(app, label, sends, top), flush=True)
        if not only or "take" in only:
            headers = take_headers_for(app)
            client.get("/api/balance", headers=headers)
            start = _next_order(app)
            count = min(requests + 6, TAKE_ORDERS - start + 1)
            sends = [
                (lambda i=i: client.post(f"/api/orders/{_order(i)}/take", headers=headers))
                for i in range(start, start + count)
            ]
            print(profile(app, "take", sends, top), flush=True)
        dispose(app)


def take_headers_for(app: Any) -> dict[str, str]:
    return _seed_takes(app)


def _next_order(app: Any) -> int:
    """The first order (of the take rows) this executor has not taken yet."""
    with app.app_context():
        taken = db.session.scalar(
            sa.text(
                "SELECT count(*) FROM order_takes t JOIN users u ON u.id = t.executor_id "
                "WHERE u.telegram_id = 7001"
            )
        )
    if taken + 12 > TAKE_ORDERS:
        raise SystemExit("the executor took every order: drop HUB_PROFILE_DATABASE_URL's database")
    return taken + 1


class _reused:
    def __init__(self, url: str) -> None:
        self.url = url

    def __enter__(self) -> str:
        from sqlalchemy.engine import make_url

        target = make_url(self.url)
        engine = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            exists = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
            ).scalar()
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
        engine.dispose()
        return self.url

    def __exit__(self, *exc: object) -> None:
        return None


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("requests", type=int, nargs="?", default=50)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--only", default=None)
    arguments = parser.parse_args()
    run(arguments.requests, arguments.top, arguments.only)
