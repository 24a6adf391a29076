"""Takes under gunicorn on PostgreSQL: one take's latency beside the SQL it runs, and 3,000
takes by 50 concurrent clients with the ledger checked to the kopeck.

* single connection: one executor takes 100 orders in turn (`POST /api/orders/<id>/take`,
  keep-alive) → mean latency; the statements of one take (captured in-process) replayed on
  a raw connection, rolled back each time → ratio (the app also commits: one WAL flush);
* 50 clients: 1,000 orders x 3 takes each = 3,000 slots; 50 funded executors, each its own
  HTTP connection, take 60 orders each (executor k the orders 20k … 20k+59, shuffled), so
  every order is raced by its 3 takers → takes/s; afterwards every balance must equal the
  sum of its transactions and the executors' money must add up: funded = balances + 200 x
  takes (0 kopecks lost).
"""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
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
from bench.web import gunicorn, replay_ms
from webapp.auth import init_data
from webapp.extensions import db
from webapp.market import money
from webapp.market.models import Account, BalanceTransaction, Take, TransactionType

EXECUTORS = 50
TAKES_EACH = 60
RACE_ORDERS = 1000  # x MARKET_MAX_TAKES (3) = 3,000 slots
SOLO_ORDERS = 100
FUNDS = 40_000  # kopecks per executor: 100 solo + 60 race takes at 200, and change

SEED = """
INSERT INTO users (telegram_id, first_name, language_code, is_premium, role, is_banned,
                   created_at, updated_at)
SELECT 7000 + g, 'Person ' || g, 'en', false, 'student', false, now(), now()
FROM generate_series(0, :executors) g;
INSERT INTO orders (id, client_id, category, city, description, contact, status, takes_count,
                    created_at, updated_at, expires_at)
SELECT 'o' || lpad(g::text, 11, '0'), (SELECT id FROM users WHERE telegram_id = 7000),
       'courier', 'Moscow', 'Bench order ' || g, '+7 900 ' || g, 'active', 0,
       now() - g * interval '1 second', now(), now() + interval '1 day'
FROM generate_series(1, :orders) g;
"""


def _order(index: int) -> str:
    return "o" + str(index).rjust(11, "0")


def _headers(telegram_id: int) -> dict[str, str]:
    user = {"id": telegram_id, "first_name": f"Person {telegram_id - 7000}", "language_code": "en"}
    return {"Authorization": f"tma {init_data.build(BOT_TOKEN, user)}"}


def seed(app: Any) -> list[int]:
    """The client (telegram 7000), 50 funded executors (7001…); return executor user ids."""
    with app.app_context():
        for statement in SEED.split(";")[:-1]:
            db.session.execute(
                sa.text(statement),
                {"executors": EXECUTORS, "orders": SOLO_ORDERS + RACE_ORDERS},
            )
        executors = list(
            db.session.scalars(
                sa.text("SELECT id FROM users WHERE telegram_id > 7000 ORDER BY telegram_id")
            )
        )
        for user_id in executors:
            money.credit(user_id, FUNDS, TransactionType.RECHARGE, f"bench:{user_id}")
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
    return executors


def take_sql(app: Any, url: str) -> tuple[float, int]:
    """(ms, statements) of one take's SQL replayed on a raw connection: the statements
    `services.take_order` runs (the signed-in user comes from the sign-in cache), captured
    in a request context and rolled back, so the replay finds the rows as they were."""
    from webapp.auth.identity import require_user
    from webapp.market import services

    captured: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    headers = _headers(7000 + EXECUTORS)
    app.test_client().get("/api/balance", headers=headers)  # signed in (and remembered)
    order_id = _order(SOLO_ORDERS)
    with app.test_request_context(f"/api/orders/{order_id}/take", method="POST", headers=headers):
        user = require_user()
        engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            services.take_order(user, order_id, idempotency_key=None)
            db.session.flush()
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
            db.session.rollback()
    return replay_ms(url, captured, repeat=100), len(captured)


def solo(base: str) -> float:
    """Mean ms of one executor's takes, one after another on one connection."""
    session = requests.Session()
    headers = _headers(7001)
    session.get(base + "/api/balance", headers=headers).raise_for_status()
    started = time.perf_counter()
    for index in range(1, SOLO_ORDERS):
        answer = session.post(base + f"/api/orders/{_order(index)}/take", headers=headers)
        assert answer.status_code == 201, answer.text[:300]
    return (time.perf_counter() - started) * 1000 / (SOLO_ORDERS - 1)


def race(base: str) -> tuple[float, dict[int, int], int]:
    """(seconds, answers by status, successful takes) of 50 executors filling 3,000 slots."""
    orders = [_order(SOLO_ORDERS + 1 + i) for i in range(RACE_ORDERS)]

    stride = RACE_ORDERS // EXECUTORS  # 20: each order is in the lists of 3 executors

    def executor(k: int) -> list[int]:
        session = requests.Session()
        headers = _headers(7001 + k)
        mine = [orders[(k * stride + j) % RACE_ORDERS] for j in range(TAKES_EACH)]
        random.Random(k).shuffle(mine)  # the 3 takers of an order meet in any order
        codes = []
        for order_id in mine:
            code = session.post(base + f"/api/orders/{order_id}/take", headers=headers)
            codes.append(code.status_code)
        return codes

    with ThreadPoolExecutor(max_workers=EXECUTORS) as pool:
        started = time.perf_counter()
        results = list(pool.map(executor, range(EXECUTORS)))
        seconds = time.perf_counter() - started
    answers: dict[int, int] = {}
    for codes in results:
        for code in codes:
            answers[code] = answers.get(code, 0) + 1
    return seconds, answers, answers.get(201, 0)


def ledger(app: Any, executors: list[int]) -> tuple[int, int, list[str]]:
    """(kopecks lost, takes recorded, problems) over the executors' accounts."""
    with app.app_context():
        balances = dict(db.session.execute(sa.select(Account.user_id, Account.balance)).all())
        sums = dict(
            db.session.execute(
                sa.select(
                    BalanceTransaction.user_id, sa.func.sum(BalanceTransaction.amount)
                ).group_by(BalanceTransaction.user_id)
            ).all()
        )
        takes = db.session.scalar(sa.select(sa.func.count()).select_from(Take)) or 0
        price = int(app.config["MARKET_TAKE_PRICE"])
    problems = [
        f"user {u}: balance {balances.get(u)} != transactions {sums.get(u)}"
        for u in executors
        if balances.get(u, 0) != (sums.get(u) or 0)
    ]
    funded = FUNDS * len(executors)
    lost = funded - sum(balances.get(u, 0) for u in executors) - price * takes
    return lost, takes, problems


def run() -> list[Result]:
    with postgres_database() as url, redis_prefix() as redis:
        app = make_app(url, {"JOBS_INLINE": True, "BOT_DELIVERY": "off"})
        executors = seed(app)
        sql_ms, statements = take_sql(app, url)
        with gunicorn("wsgi:app", app_environ(url, **redis)) as base:
            solo_ms = solo(base)
            seconds, answers, taken = race(base)
        lost, takes, problems = ledger(app, executors)
        dispose(app)
    ratio = solo_ms / sql_ms
    others = ", ".join(f"{code}: {n}" for code, n in sorted(answers.items()) if code != 201)
    return [
        Result(
            "takes",
            "take latency, 1 connection",
            round(solo_ms, 2),
            "ms",
            f"{SOLO_ORDERS - 1} takes in turn by one executor, keep-alive",
        ),
        Result(
            "takes",
            "SQL of one take",
            round(sql_ms, 2),
            "ms",
            f"{statements} statements replayed on a raw connection, rolled back",
        ),
        Result(
            "takes",
            "ratio take latency / its SQL",
            round(ratio, 2),
            "x",
            "budget ≤ 3: " + ("holds" if ratio <= 3 else "MISSED"),
        ),
        Result(
            "takes",
            "50 clients: takes",
            taken,
            "",
            f"of {RACE_ORDERS * 3} slots; other answers {others or 'none'}",
        ),
        Result(
            "takes",
            "50 clients: takes/s",
            round(taken / seconds, 1),
            "1/s",
            f"{seconds:.1f} s; beside {1000 / solo_ms:.1f}/s for one connection",
        ),
        Result(
            "takes",
            "50 clients: kopecks lost",
            lost,
            "",
            f"funded - balances - price x {takes} takes; "
            + ("ledger balances" if not problems else "; ".join(problems[:3])),
        ),
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
