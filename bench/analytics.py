"""Analytics at a million rows: how long each dashboard chart's queries take on PostgreSQL.

    HUB_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \
        .venv/bin/python bench/analytics.py [rows]

Creates a throw-away database next to the given one, loads `rows` (default 1,000,000)
balance transactions and daily-activity rows and 1,000,000 users, spread over two years,
then times each chart over 90 days (median of 5, the whole `services.chart` call: every
line's GROUP BY day query) and prints the plan of the money chart's first query. The
database is dropped at the end.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from tests.fixtures.app import build_app
from tests.fixtures.services import create_postgres_database, drop_postgres_database
from webapp.admin.analytics import services
from webapp.extensions import db
from webapp.users.models import Role, User

LOAD = """
INSERT INTO users (telegram_id, first_name, role, is_banned, is_premium, created_at,
                   updated_at, session_version)
SELECT g, 'u', 'student', false, false, now() - (g % 730) * interval '1 day',
       now(), 0
FROM generate_series(1, :rows) g;
INSERT INTO balance_transactions (user_id, type, amount, balance_after, reference, created_at)
SELECT 1 + g % 1000, (ARRAY['stars_topup','order_take','refund','recharge'])[1 + g % 4],
       CASE WHEN g % 4 = 1 THEN -200 ELSE 200 END, 0, 'b' || g,
       now() - (g % 730) * interval '1 day' - (g % 86400) * interval '1 second'
FROM generate_series(1, :rows) g;
INSERT INTO user_active_days (day, user_id)
SELECT current_date - (g / 1000) % 730, 1 + g % 1000000
FROM generate_series(1, :rows) g ON CONFLICT DO NOTHING;
ANALYZE;
"""


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    base = os.environ.get("HUB_BENCH_DATABASE_URL") or os.environ["HUB_TEST_DATABASE_URL"]
    url = create_postgres_database(base)
    try:
        app = build_app(url, {})
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            for statement in LOAD.split(";\n"):
                if statement.strip():
                    db.session.execute(text(statement), {"rows": rows})
            db.session.commit()
            print(f"loaded {rows:,} rows per table in {time.perf_counter() - started:.0f} s")
            admin = User(telegram_id=None, first_name="a", role=Role.ADMIN)
            db.session.add(admin)
            db.session.commit()
            with app.test_request_context():
                for key in services.CHARTS:
                    timings = []
                    for _ in range(5):
                        started = time.perf_counter()
                        services.chart(admin, key, 90)
                        timings.append((time.perf_counter() - started) * 1000)
                    print(f"{key:8} 90 days: {statistics.median(timings):7.1f} ms (median of 5)")
                start = services._start(90, services.utcnow().date())
                query = services.CHARTS["money"][2][0][1](start)
                compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
                plan = db.session.execute(text(f"EXPLAIN ANALYZE {compiled}")).scalars().all()
                print("\n".join(plan))
        with app.app_context():
            db.engine.dispose()
    finally:
        drop_postgres_database(url)


if __name__ == "__main__":
    main()
