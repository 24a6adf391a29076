"""Expiry of 100k overdue orders: one run of the job (`jobs.market.expire_overdue_orders`),
timed, with every SQL statement it issues counted (a SQLAlchemy `before_cursor_execute`
listener) — one set-based `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`, not a
loop over rows. The 100k active overdue orders are seeded with one `INSERT … SELECT`.
"""

from __future__ import annotations

import time

import sqlalchemy as sa

from bench.common import Result, dispose, make_app, postgres_database
from jobs.market import expire_overdue_orders
from webapp.extensions import db

ORDERS = 100_000

SEED = """
INSERT INTO users (telegram_id, first_name, is_premium, role, is_banned, created_at, updated_at)
VALUES (1, 'Client', false, 'student', false, now(), now());
INSERT INTO orders (id, client_id, category, city, description, contact, status, takes_count,
                    created_at, updated_at, expires_at)
SELECT substr(md5(g::text), 1, 12), (SELECT min(id) FROM users), 'courier', 'Moscow',
       'Order ' || g, '+7 900', 'active', 0,
       now() - interval '2 days', now() - interval '2 days',
       now() - interval '1 day' + g * interval '1 millisecond'
FROM generate_series(1, :orders) g;
"""


RAW_UPDATE = """
UPDATE orders SET status = 'expired', closed_at = now(), updated_at = now()
WHERE status = 'active' AND expires_at <= now()
"""


def vacuum() -> None:
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE orders"))


def raw_update_seconds() -> float:
    """The floor: the simplest UPDATE of the same rows on a raw connection, rolled back."""
    with db.engine.connect() as conn:
        started = time.perf_counter()
        conn.execute(sa.text(RAW_UPDATE))
        seconds = time.perf_counter() - started
        conn.rollback()
    vacuum()
    return seconds


def run(*, orders: int = ORDERS) -> list[Result]:
    with postgres_database() as url:
        app = make_app(url, {"JOBS_INLINE": True})
        with app.app_context():
            for statement in SEED.strip().split(";\n"):
                db.session.execute(sa.text(statement.rstrip(";")), {"orders": orders})
            db.session.commit()
            vacuum()

            raw_seconds = raw_update_seconds()

            statements: list[str] = []

            def count(conn, cursor, statement, parameters, context, executemany):
                statements.append(statement.split(None, 1)[0].upper())

            sa.event.listen(db.engine, "before_cursor_execute", count)
            try:
                started = time.perf_counter()
                expired = expire_overdue_orders()
                seconds = time.perf_counter() - started
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", count)
            left = db.session.scalar(sa.text("SELECT count(*) FROM orders WHERE status = 'active'"))
            again = expire_overdue_orders()
        dispose(app)

    kinds = ", ".join(f"{statements.count(k)} {k}" for k in dict.fromkeys(statements))
    return [
        Result(
            "order expiry",
            "orders expired",
            expired,
            "",
            f"of {orders} overdue; {left} left active",
        ),
        Result(
            "order expiry",
            "one job run",
            round(seconds, 2),
            "s",
            f"{round(expired / seconds)} orders/s",
        ),
        Result(
            "order expiry",
            "SQL statements issued",
            len(statements),
            "",
            f"{kinds} (set-based: independent of the row count)",
        ),
        Result(
            "order expiry",
            "plain UPDATE of the same rows",
            round(raw_seconds, 2),
            "s",
            f"ratio job / plain UPDATE {seconds / raw_seconds:.2f} (the job also takes row locks "
            "with SKIP LOCKED and commits)",
        ),
        Result("order expiry", "second run expires", again, "", "idempotent"),
    ]
