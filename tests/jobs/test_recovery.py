"""Periodic jobs come back by themselves: real `python worker.py` processes on a private
Redis that the tests kill (`kill -9`) and restart empty; `/health` notices a stopped schedule.

Each recovery test prints how long the periodic jobs took to run again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from redis import Redis
from rq import Queue
from rq.job import JobStatus
from rq.scheduler import RQScheduler

from jobs.periodic import TICK_SECONDS
from jobs.worker import MAINTENANCE_SECONDS
from tests.fixtures.app import TEST_BOT_TOKEN, TEST_SECRET_KEY, build_app
from tests.fixtures.fake_telegram import FakeTelegram, bot_overrides
from tests.fixtures.private_servers import PrivateRedis
from webapp.core.periodic import PeriodicRun
from webapp.database import utcnow
from webapp.extensions import db
from webapp.outbox import MessageStatus, OutgoingMessage, queue_message

pytestmark = pytest.mark.redis
ROOT = Path(__file__).resolve().parent.parent.parent
PREFIX = "recovery"
# The jobs issue 10 names: expiry, no-response refunds, reminders and the outbox.
MUST_RUN = ("market-expiry", "market-no-response", "event-reminders", "bot.deliver_outbox")
RECOVERY_LIMIT = 60.0


class WorkerProcess:
    """`python worker.py` on the private Redis and the test database."""

    def __init__(self, database_url: str, redis_url: str, fake: FakeTelegram, log: Path):
        self.environ = {
            **os.environ,
            "APP_ENV": "testing",
            "SECRET_KEY": TEST_SECRET_KEY,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "REDIS_KEY_PREFIX": PREFIX,
            "TELEGRAM_BOT_TOKEN": TEST_BOT_TOKEN,
            "TELEGRAM_API_URL": fake.url,
            "JOBS_INLINE": "0",
            "BOT_DELIVERY": "job",
            "LOG_LEVEL": "INFO",
        }
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:  # a file: a full pipe would block the worker
            self.process = subprocess.Popen(
                [sys.executable, "worker.py"],
                cwd=ROOT,
                env=self.environ,
                start_new_session=True,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        """`kill -9` of the worker, its work horse and its scheduler process at once."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:  # a warm shutdown waits for the running job; the test is over: not for long
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


@pytest.fixture
def app(schema: str, fake_telegram: FakeTelegram) -> Iterator[Flask]:
    """The web side: the same database, messages left for the worker (no delivery here)."""
    application = build_app(schema, bot_overrides(fake_telegram, BOT_DELIVERY="off"))
    yield application
    from tests.fixtures.app import empty_tables

    empty_tables(application)
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def worker(
    schema: str, private_redis: PrivateRedis, fake_telegram: FakeTelegram, tmp_path: Path
) -> Iterator[WorkerProcess]:
    process = WorkerProcess(schema, private_redis.url, fake_telegram, tmp_path / "worker.log")
    yield process
    process.stop()


def last_runs(app: Flask) -> dict[str, datetime]:
    with app.app_context():
        rows = db.session.execute(db.select(PeriodicRun.name, PeriodicRun.last_success_at))
        return dict(rows.all())


def forget_runs(app: Flask) -> None:
    with app.app_context():
        db.session.execute(db.delete(PeriodicRun))
        db.session.commit()


def wait_for_runs(app: Flask, worker: WorkerProcess, limit: float = RECOVERY_LIMIT) -> float:
    """Seconds until every job of `MUST_RUN` has recorded a successful run."""
    started = time.monotonic()
    while not set(MUST_RUN) <= set(last_runs(app)):
        assert worker.process is not None and worker.process.poll() is None, worker.tail()
        missing = set(MUST_RUN) - set(last_runs(app))
        assert time.monotonic() - started < limit, f"never ran: {missing}\n{worker.tail()}"
        time.sleep(0.2)
    return time.monotonic() - started


def delivered(app: Flask, text: str) -> bool:
    with app.app_context():
        status = db.session.scalar(
            db.select(OutgoingMessage.status).where(OutgoingMessage.text == text)
        )
    return status == MessageStatus.SENT


def test_periodic_jobs_run_again_after_a_worker_is_killed_mid_job(
    app, worker, private_redis, fake_telegram
):
    """After the worker is killed with -9 while a job runs and restarted at once (its
    scheduler lock still in Redis), do expiry, no-response refunds, reminders and the outbox
    run again within 60 s, does a message queued meanwhile go out, and does RQ's scheduler
    come back instead of waiting for the stale lock?

    Takes ~15-25 s: two worker processes start (the app is built in each) and the jobs run.
    """
    worker.start()
    wait_for_runs(app, worker)
    redis = Redis.from_url(private_redis.url)
    queue = Queue(f"{PREFIX}:default", connection=redis)
    lock_key = RQScheduler.get_locking_key(queue.name)
    deadline = time.monotonic() + 15
    while redis.get(lock_key) is None:
        assert time.monotonic() < deadline, "RQ's scheduler never took its lock"
        time.sleep(0.1)
    old_scheduler = redis.get(lock_key)
    slow = queue.enqueue("time.sleep", 30, job_timeout=120)
    deadline = time.monotonic() + 15
    while slow.get_status(refresh=True) != JobStatus.STARTED:
        assert time.monotonic() < deadline, worker.tail()
        time.sleep(0.05)

    worker.kill()  # mid-job: the work horse is in time.sleep
    assert redis.get(lock_key) == old_scheduler  # a stale lock is left behind
    forget_runs(app)
    with app.app_context():
        queue_message(4701, "sent after the crash")
        db.session.commit()
    worker.start()

    recovered = wait_for_runs(app, worker)
    print(f"worker killed and restarted: periodic jobs ran again after {recovered:.1f} s")
    deadline = time.monotonic() + RECOVERY_LIMIT
    while not delivered(app, "sent after the crash"):
        assert time.monotonic() < deadline, worker.tail()
        time.sleep(0.2)
    # RQ's scheduler takes the released lock at the worker's next maintenance pass.
    deadline = time.monotonic() + MAINTENANCE_SECONDS + 2 * TICK_SECONDS + 5
    while redis.get(lock_key) in (None, old_scheduler):
        assert time.monotonic() < deadline, f"the stale scheduler lock blocked\n{worker.tail()}"
        time.sleep(0.1)
    redis.close()


def test_periodic_jobs_run_again_after_redis_restarts_empty(app, worker, private_redis):
    """When Redis is killed and comes back empty (the schedule gone) while the worker keeps
    running, do the periodic jobs run again within 60 s with nobody touching anything?

    Takes ~10-20 s: a worker process starts, then reconnects to the new Redis.
    """
    worker.start()
    wait_for_runs(app, worker)

    private_redis.kill()
    forget_runs(app)
    time.sleep(1)  # the worker notices: its connection fails
    private_redis.start()  # empty

    recovered = wait_for_runs(app, worker)
    print(f"Redis restarted empty: periodic jobs ran again after {recovered:.1f} s")


def test_health_answers_503_when_a_periodic_job_is_overdue(schema):
    """Does /health report each periodic job's last successful run, and answer 503 once one
    is more than three periods late — 200 again when it has run?"""
    app = build_app(schema, {"JOBS_INLINE": False})
    client = app.test_client()
    with app.app_context():
        now = utcnow()
        for name in MUST_RUN:
            db.session.add(PeriodicRun(name=name, last_success_at=now))
        db.session.commit()
    answer = client.get("/health")
    assert answer.status_code == 200, answer.get_json()
    periodic = answer.get_json()["checks"]["periodic"]
    assert periodic["market-expiry"]["every_seconds"] == 60
    assert periodic["market-expiry"]["last_success"] is not None
    assert not any(job["overdue"] for job in periodic.values())

    with app.app_context():
        row = db.session.get(PeriodicRun, "market-expiry")
        row.last_success_at = now - timedelta(
            minutes=3, seconds=30
        )  # more than 3 periods of 1 minute
        db.session.commit()
    late = client.get("/health")
    assert late.status_code == 503
    assert late.get_json()["checks"]["periodic"]["market-expiry"]["overdue"] is True
    assert late.get_json()["status"] == "overdue"

    with app.app_context():
        db.session.get(PeriodicRun, "market-expiry").last_success_at = utcnow()
        db.session.execute(db.delete(PeriodicRun))
        db.session.commit()
        db.engine.dispose()
