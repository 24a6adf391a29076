"""Where a list request's time goes: cProfile over the market feed and the task list,
in-process (the Flask test client) on PostgreSQL with the benchmark's 100k rows.

    .venv/bin/python bench/profile_lists.py [requests]

Prints, per endpoint, the mean time of one request and the functions with the most
cumulative time in it (what to make cheaper first). Not part of `bench/run.py`.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BOT_TOKEN, dispose, make_app, postgres_database
from bench.lists import seed
from webapp.auth import init_data

# (area, a function whose cumulative time is that area's)
AREAS = [
    ("waiting for PostgreSQL (psycopg wait)", "psycopg/connection.py", "wait"),
    ("sign-in (initData check + user)", "webapp/auth/identity.py", "resolve_user"),
    ("ORM row loading (instances)", "sqlalchemy/orm/loading.py", "instances"),
    ("pydantic validate", "webapp/api.py", "<listcomp>"),
    ("JSON encoding (jsonify)", "flask/json/__init__.py", "jsonify"),
    ("query parsing (flask-openapi3)", "flask_openapi3/request.py", "_validate_request"),
]


def profile(client, path: str, headers: dict[str, str], requests: int) -> str:
    for _ in range(20):  # warm caches, prepared statements, sign-in's first write
        assert client.get(path, headers=headers).status_code == 200
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(requests):
        client.get(path, headers=headers)
    profiler.disable()
    mean_ms = (time.perf_counter() - started) * 1000 / requests
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    total = stats.total_tt or 1  # type: ignore[attr-defined]
    lines = [f"{path}: {mean_ms:.2f} ms per request in-process (profiled, {requests} requests)"]
    for area, filename_part, function in AREAS:
        cumulative = sum(
            row[3]
            for (filename, _line, name), row in stats.stats.items()  # type: ignore[attr-defined]
            if filename_part in filename and name == function
        )
        lines.append(f"  {area}: {100 * cumulative / total:.0f}%")
    stats.sort_stats("tottime").print_stats(25)
    return "\n".join(lines) + "\n" + out.getvalue()


def main(requests: int) -> None:
    with postgres_database() as url:
        app = make_app(url, {"JOBS_INLINE": True})
        telegram_id = seed(app)
        user = {"id": telegram_id, "first_name": "User 1", "language_code": "en"}
        tma = {"Authorization": f"tma {init_data.build(BOT_TOKEN, user)}"}
        client = app.test_client()
        for path, headers in (("/api/orders?limit=50", {}), ("/api/tasks?limit=100", tma)):
            print(profile(client, path, headers, requests))
        dispose(app)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
