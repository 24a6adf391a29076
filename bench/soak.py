"""60 seconds of mixed traffic at a fixed rate under gunicorn on PostgreSQL: the feed, the
task list, takes, the pages and sign-ins (a fresh initData each, so the user is looked up
and last-seen written), with errors and latency percentiles.

The load is open-loop: request i is due at `i / RATE` seconds whatever the earlier ones are
doing, and its latency counts from when it was due (a slow answer delays nothing and hides
nothing). Each request opens its own connection, as a client behind a proxy would. An
error is a 5xx, a refused or timed-out connection; the answers the mix expects
(2xx, and 409 for a take the mix itself made impossible) are not errors.
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from bench.common import (
    BOT_TOKEN,
    Result,
    app_environ,
    dispose,
    make_app,
    postgres_database,
    redis_prefix,
)
from bench.lists import FEED, seed
from bench.web import gunicorn
from webapp.auth import init_data
from webapp.extensions import db
from webapp.market import money
from webapp.market.models import TransactionType

SECONDS = 60
RATE = 10  # requests per second, all kinds together (well below what 2 shared cores serve)
WORKERS = 24
EXECUTORS = 50  # telegram ids 1002…1051 (1001 posted the orders: a client cannot take)
MIX = [  # (kind, weight)
    ("feed", 30),
    ("tasks", 25),
    ("page /orders", 10),
    ("page /tasks", 10),
    ("take", 10),
    ("sign-in", 15),
]


def _tma(telegram_id: int, auth_date: int | None = None) -> dict[str, str]:
    user = {"id": telegram_id, "first_name": f"User {telegram_id - 1000}", "language_code": "en"}
    return {"Authorization": f"tma {init_data.build(BOT_TOKEN, user, auth_date=auth_date)}"}


def _order_id(g: int) -> str:
    """The id `bench.lists` gives its g-th order."""
    import hashlib

    return hashlib.md5(str(g).encode()).hexdigest()[:12]


def plan(total: int) -> list[tuple[str, str, str, dict[str, str]]]:
    """(kind, method, path, headers) of every request, in order."""
    rng = random.Random(7)
    kinds = [kind for kind, weight in MIX for _ in range(weight)]
    now = int(time.time())
    requests_: list[tuple[str, str, str, dict[str, str]]] = []
    takes = 0
    for i in range(total):
        kind = rng.choice(kinds)
        user = 1002 + rng.randrange(EXECUTORS)
        if kind == "feed":
            requests_.append((kind, "GET", FEED, {}))
        elif kind == "tasks":
            requests_.append((kind, "GET", "/api/tasks?limit=100", _tma(1001)))
        elif kind == "page /orders":
            requests_.append((kind, "GET", "/orders", _tma(user)))
        elif kind == "page /tasks":
            requests_.append((kind, "GET", "/tasks", _tma(user)))
        elif kind == "take":
            # order g is taken by 3 different executors: never a 409 by construction
            order, executor = 1 + takes // 3, 1002 + takes % EXECUTORS
            takes += 1
            requests_.append((kind, "POST", f"/api/orders/{_order_id(order)}/take", _tma(executor)))
        else:  # a fresh initData: a cache miss, the upsert's SELECT (and a last-seen write)
            requests_.append((kind, "GET", "/api/users/me", _tma(user, auth_date=now - i)))
    return requests_


def run(*, seconds: int = SECONDS, rate: int = RATE) -> list[Result]:
    with postgres_database() as url, redis_prefix() as redis:
        app = make_app(url, {"JOBS_INLINE": True, "BOT_DELIVERY": "off"})
        seed(app)
        with app.app_context():
            for telegram_id in range(1002, 1002 + EXECUTORS):
                user_id = db.session.scalar(
                    db.text("SELECT id FROM users WHERE telegram_id = :t"), {"t": telegram_id}
                )
                money.credit(user_id, 100_000, TransactionType.RECHARGE, f"soak:{user_id}")
            db.session.commit()
        dispose(app)
        todo = plan(seconds * rate)
        local = threading.local()
        latencies: dict[str, list[float]] = {kind: [] for kind, _ in MIX}
        errors: dict[str, int] = {}

        def send(index: int, started: float, base: str) -> None:
            kind, method, path, headers = todo[index]
            due = started + index / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            session = getattr(local, "session", None)
            if session is None:
                session = local.session = requests.Session()
            try:
                # a fresh connection each time: gunicorn closes idle keep-alive connections
                # after 2 s, and reusing one it just closed fails on the client's side
                answer = session.request(
                    method, base + path, headers={**headers, "Connection": "close"}, timeout=10
                )
                code: Any = answer.status_code
            except requests.RequestException as exc:
                code = type(exc).__name__
            latencies[kind].append((time.perf_counter() - due) * 1000)
            if not (isinstance(code, int) and code < 500 and (code < 400 or code == 409)):
                errors[f"{kind} {code}"] = errors.get(f"{kind} {code}", 0) + 1

        with gunicorn("wsgi:app", app_environ(url, **redis)) as base:
            warm = requests.Session()
            for _ in range(10):
                warm.get(base + FEED)
            with ThreadPoolExecutor(max_workers=WORKERS) as pool:
                started = time.perf_counter() + 0.5
                for index in range(len(todo)):
                    pool.submit(send, index, started, base)
            elapsed = time.perf_counter() - started

    every = sorted(ms for values in latencies.values() for ms in values)

    def pct(values: list[float], p: float) -> float:
        return values[min(len(values) - 1, int(p * len(values)))] if values else 0.0

    p50, p99 = pct(every, 0.50), pct(every, 0.99)
    failed = sum(errors.values())
    per_kind = ", ".join(
        f"{kind} {pct(sorted(values), 0.5):.0f}/{pct(sorted(values), 0.99):.0f}"
        for kind, values in latencies.items()
    )
    return [
        Result(
            "soak 60 s",
            "requests sent",
            len(every),
            "",
            f"{rate}/s fixed rate (open loop) for {seconds} s; done in {elapsed:.1f} s; "
            + ", ".join(f"{k} {w}%" for k, w in MIX),
        ),
        Result(
            "soak 60 s",
            "errors",
            failed,
            "",
            "budget 0: " + ("holds" if not failed else "MISSED " + str(errors)),
        ),
        Result("soak 60 s", "p50 latency", round(p50, 1), "ms", "from when each request was due"),
        Result(
            "soak 60 s", "p99 latency", round(p99, 1), "ms", f"p50/p99 by kind (ms): {per_kind}"
        ),
        Result(
            "soak 60 s",
            "ratio p99 / p50",
            round(p99 / p50, 2) if p50 else "n/a",
            "x",
            "budget ≤ 5: " + ("holds" if p50 and p99 / p50 <= 5 else "MISSED"),
        ),
    ]


if __name__ == "__main__":
    for row in run(seconds=20):
        print(row)
