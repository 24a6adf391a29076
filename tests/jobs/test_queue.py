"""The enqueue helper in its three modes, and the embedded mode's timer thread."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from jobs.embedded import EmbeddedScheduler, wants_embedded_scheduler
from jobs.queue import FAILURE_TTL, LocalJobs, enqueue, get_queue
from jobs.schedule import PERIODIC_JOBS, PeriodicJob
from tests.fixtures.fake_telegram import bot_overrides
from webapp.extensions import db
from webapp.outbox import queue_message

RUNS: list[str] = []


def record(name: str = "run") -> None:
    RUNS.append(name)


def explode() -> None:
    raise RuntimeError("job failed")


@pytest.fixture(autouse=True)
def _clear_runs():
    RUNS.clear()
    yield
    RUNS.clear()


def test_inline_mode_runs_now_and_propagates_errors(app):
    """With JOBS_INLINE (tests), does a job run at once, with its errors raised?"""
    with app.app_context():
        assert enqueue("tests.jobs.test_queue.record", "now") is None
        assert RUNS == ["now"]
        with pytest.raises(RuntimeError):
            enqueue(explode)


@pytest.mark.redis
def test_rq_jobs_get_timeout_retry_and_ttls(build, redis_server, redis_prefix):
    """Does an RQ job get the helper's timeout, retries and failure TTL, on a prefixed queue?"""
    app = build({"JOBS_INLINE": False, "REDIS_URL": redis_server, "REDIS_KEY_PREFIX": redis_prefix})
    with app.app_context():
        job_id = enqueue(record, "x", timeout=42)
        queue = get_queue()
        job = queue.fetch_job(job_id)
    assert queue.name == f"{redis_prefix}:default"
    assert job_id.startswith(redis_prefix)
    assert job.timeout == 42
    assert job.retries_left == 3
    assert job.failure_ttl == FAILURE_TTL
    assert job.func_name == "tests.jobs.test_queue.record"


def test_local_jobs_coalesce_while_waiting(app):
    """In the embedded mode, do repeated coalesced calls add one run while one is waiting,
    and a new one once it has started?"""
    gate = threading.Event()
    jobs = LocalJobs(app, workers=1)
    try:
        jobs.submit(gate.wait, (5,), {}, None)  # occupies the only thread
        for _ in range(5):
            jobs.submit(record, ("coalesced",), {}, "same")
        gate.set()
    finally:
        jobs.shutdown()
    assert RUNS == ["coalesced"]


def test_embedded_mode_delivers_after_commit_in_the_background(build, fake_telegram):
    """Without Redis and not inline, does a commit's message go out from a background
    thread (the request does not wait for it)?"""
    app = build(bot_overrides(fake_telegram, JOBS_INLINE=False, REDIS_URL=None))
    with app.app_context():
        queue_message(4301, "in the background")
        db.session.commit()
    deadline = time.monotonic() + 10
    while not fake_telegram.messages() and time.monotonic() < deadline:
        time.sleep(0.02)
    app.extensions["hub_local_jobs"].shutdown()
    assert [p["text"] for p in fake_telegram.messages()] == ["in the background"]


def test_embedded_timer_runs_periodic_jobs_repeatedly(app):
    """Does the embedded timer run each periodic job at its interval, in an app context?"""
    job = PeriodicJob("test.tick", "tests.jobs.test_queue.record", every=timedelta(seconds=0.05))
    scheduler = EmbeddedScheduler(app, [job], tick=0.01)
    scheduler.start()
    deadline = time.monotonic() + 5
    while scheduler.runs["test.tick"] < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    scheduler.stop()
    scheduler.join(2)
    assert scheduler.runs["test.tick"] >= 3
    assert RUNS[:3] == ["run", "run", "run"]


def test_tests_and_redis_never_start_the_embedded_timer(app, client, build):
    """Is the timer thread off in tests and with Redis (RQ's scheduler runs the jobs then)?"""
    client.get("/health")
    assert "hub_embedded_scheduler" not in app.extensions
    assert wants_embedded_scheduler(app) is False
    with_redis = build({"REDIS_URL": "redis://127.0.0.1:1/0"})
    with_redis.config.update(TESTING=False, JOBS_INLINE=False)
    assert wants_embedded_scheduler(with_redis) is False


def test_the_bot_registers_its_periodic_jobs():
    """Are the outbox sweep and the update pruning on the periodic schedule?"""
    names = {job.name: job for job in PERIODIC_JOBS}
    assert names["bot.deliver_outbox"].every <= timedelta(minutes=1)
    assert names["bot.prune_updates"].func == "jobs.bot.prune_processed_updates"
