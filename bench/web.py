"""Serve an app under gunicorn and load it with wrk; capture and replay an endpoint's SQL.

Used by the feed and list benchmarks: the app's throughput beside a bare Flask endpoint
under the same gunicorn settings, and the app's latency beside the raw SQL it runs.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str], workers: int = 2) -> Iterator[str]:
    """Run `gunicorn app_spec -c gunicorn.conf.py`; yield its base URL."""
    port = free_port()
    metrics = tempfile.mkdtemp(prefix="bench-metrics-")
    full_env = {
        **os.environ,
        **env,
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "PROMETHEUS_MULTIPROC_DIR": metrics,
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", app_spec, "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "/health", timeout=2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        process.send_signal(signal.SIGINT)  # quick shutdown (TERM waits for graceful_timeout)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(metrics, ignore_errors=True)


def wrk(
    url: str,
    *,
    seconds: int = 5,
    connections: int = 16,
    threads: int = 2,
    headers: dict[str, str] | None = None,
) -> dict[str, float]:
    """Requests per second and mean latency (ms) from wrk."""
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", output).group(1))
    latency = re.search(r"Latency\s+([0-9.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[latency.group(2)]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": rps,
        "latency_ms": float(latency.group(1)) * scale,
        "errors": float(non_2xx.group(1)) if non_2xx else 0.0,
    }


def capture_sql(app: Any, path: str, headers: dict[str, str]) -> list[tuple[str, Any]]:
    """The statements (with parameters) one request to `path` runs, in order."""
    from webapp.extensions import db

    captured: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        response = app.test_client().get(path, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return captured


def replay_ms(url: str, statements: list[tuple[str, Any]], *, repeat: int = 200) -> float:
    """Mean milliseconds to run these statements on one raw connection."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        cursor = raw.cursor()
        for statement, params in statements:  # warm up
            cursor.execute(statement, params)
            if cursor.description:
                cursor.fetchall()
        raw.rollback()
        started = time.perf_counter()
        for _ in range(repeat):
            for statement, params in statements:
                cursor.execute(statement, params)
                if cursor.description:
                    cursor.fetchall()
            raw.rollback()
        elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed * 1000 / repeat
