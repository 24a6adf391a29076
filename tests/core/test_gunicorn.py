"""The app under the production server: gunicorn with several workers."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.fixtures.app import TEST_BOT_TOKEN, TEST_SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


@pytest.fixture
def gunicorn_url(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}",
        "SECRET_KEY": TEST_SECRET_KEY,
        "TELEGRAM_BOT_TOKEN": TEST_BOT_TOKEN,
        "PORT": str(port),
        "WEB_CONCURRENCY": "3",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    (tmp_path / "metrics").mkdir()
    # Logs go to a file: a full pipe would block the workers (and their shutdown).
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "wsgi:app", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # up to 30 s on a busy machine
            try:
                _get(url + "/version")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start: " + (tmp_path / "gunicorn.log").read_text()[:2000])
        yield url
    finally:
        process.send_signal(signal.SIGINT)  # quick shutdown (TERM waits for graceful_timeout)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_metrics_add_up_across_workers(gunicorn_url):
    """With three gunicorn workers, does /metrics count every request, whichever served it?
    (gunicorn starts three workers that each build the app: ~5 s on an idle machine, 10-16 s
    on a loaded one.)"""
    for _ in range(30):
        _get(gunicorn_url + "/version")
    text = _get(gunicorn_url + "/metrics")
    counts = re.findall(
        r'hub_http_requests_total\{endpoint="/version",method="GET",status="200"\} ([0-9.]+)',
        text,
    )
    assert counts, text[:500]
    assert sum(float(c) for c in counts) >= 30
