"""Jobs on a real RQ worker against the real Redis: delivery after commit, periodic slots."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from rq import SimpleWorker
from rq.registry import FinishedJobRegistry

from jobs.context import set_worker_app
from jobs.periodic import register_periodic_jobs, slot_job_id, slot_of
from jobs.queue import get_queue
from jobs.schedule import PeriodicJob
from tests.fixtures.app import TEST_BOT_TOKEN, TEST_SECRET_KEY
from tests.fixtures.fake_telegram import bot_overrides
from webapp.core.periodic import PeriodicRun
from webapp.extensions import db
from webapp.outbox import MessageStatus, OutgoingMessage, queue_message

pytestmark = pytest.mark.redis
ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def worker_app(build, fake_telegram, redis_server, redis_prefix):
    """An app whose jobs go to RQ (not inline), on this test's own queue names."""
    app = build(
        bot_overrides(
            fake_telegram,
            JOBS_INLINE=False,
            REDIS_URL=redis_server,
            REDIS_KEY_PREFIX=redis_prefix,
        )
    )
    set_worker_app(app)
    yield app
    set_worker_app(None)


def run_worker(app) -> None:
    with app.app_context():
        queue = get_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=True)


def texts(app):
    with app.app_context():
        return {m.text: m.status for m in db.session.scalars(db.select(OutgoingMessage))}


def test_commits_enqueue_one_delivery_job_that_a_worker_runs(worker_app, fake_telegram):
    """Do two commits that queue messages enqueue one RQ job (coalesced), and does a real
    worker run it and deliver both?"""
    with worker_app.app_context():
        queue_message(4001, "one")
        db.session.commit()
        queue_message(4002, "two")
        db.session.commit()
        queue = get_queue()
        assert queue.count == 1
    assert fake_telegram.all_calls == []
    run_worker(worker_app)
    assert sorted(p["text"] for p in fake_telegram.messages()) == ["one", "two"]
    assert texts(worker_app) == {"one": MessageStatus.SENT, "two": MessageStatus.SENT}
    with worker_app.app_context():
        assert FinishedJobRegistry(queue=get_queue()).count == 1


def test_a_periodic_slot_is_enqueued_once_and_a_worker_runs_it(worker_app, fake_telegram):
    """Is the current slot of a periodic job enqueued exactly once however often (and by
    however many workers) it is registered, does a worker run it and record the success, and
    is a slot that ran not enqueued again?"""
    with worker_app.app_context():
        worker_app.config["BOT_DELIVERY"] = "off"
        queue_message(4101, "left behind")
        db.session.commit()
        queue = get_queue()
    sweep = PeriodicJob("test.sweep", "jobs.bot.deliver_outbox", every=timedelta(seconds=30))
    slot = slot_of(30)
    first = register_periodic_jobs(queue, [sweep])
    again = register_periodic_jobs(queue, [sweep])  # a second worker, or the next tick
    if first != [slot_job_id(queue, "test.sweep", slot)]:  # a slot boundary just passed
        slot += 1
    assert first == [slot_job_id(queue, "test.sweep", slot)] and again == []
    assert queue.count == 1

    run_worker(worker_app)

    assert [p["text"] for p in fake_telegram.messages()] == ["left behind"]
    with worker_app.app_context():
        assert db.session.get(PeriodicRun, "test.sweep") is not None
    if slot_of(30) == slot:
        assert register_periodic_jobs(queue, [sweep]) == []  # that slot has run: not again


def test_the_worker_process_runs_the_periodic_sweep(
    build, fake_telegram, redis_server, redis_prefix, schema
):
    """Does `python worker.py` (forking worker + scheduler) enqueue the periodic jobs,
    deliver a pending message through the outbox sweep and record that run?
    (A real worker process builds the app and forks a work horse per job: ~5 s on an idle
    machine, 10-20 s on a loaded one.)"""
    app = build(bot_overrides(fake_telegram, BOT_DELIVERY="off"))
    with app.app_context():
        queue_message(4201, "from the sweep")
        db.session.commit()
    environ = {
        **os.environ,
        "APP_ENV": "testing",
        "SECRET_KEY": TEST_SECRET_KEY,
        "DATABASE_URL": schema,
        "REDIS_URL": redis_server,
        "REDIS_KEY_PREFIX": redis_prefix,
        "TELEGRAM_BOT_TOKEN": TEST_BOT_TOKEN,
        "TELEGRAM_API_URL": fake_telegram.url,
        "JOBS_INLINE": "0",
        "BOT_DELIVERY": "job",
        "LOG_LEVEL": "WARNING",
    }
    worker = subprocess.Popen(
        [sys.executable, "worker.py"],
        cwd=ROOT,
        env=environ,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while not fake_telegram.messages() and time.monotonic() < deadline:
            assert worker.poll() is None, worker.communicate()[0].decode()[-2000:]
            time.sleep(0.1)
        assert [p["text"] for p in fake_telegram.messages()] == ["from the sweep"]
        deadline = time.monotonic() + 10
        while True:  # the run that delivered it records its success for /health
            with app.app_context():
                if db.session.get(PeriodicRun, "bot.deliver_outbox") is not None:
                    break
            assert time.monotonic() < deadline, "the periodic run was never recorded"
            time.sleep(0.1)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        if worker.stdout:
            worker.stdout.close()
    assert texts(app) == {"from the sweep": MessageStatus.SENT}


def test_the_webhook_answers_before_sending_and_a_worker_sends(worker_app, fake_telegram):
    """Does the webhook answer without calling Telegram (the message waits in a job), and does
    the worker then send exactly one reply?"""
    from tests.fixtures.fake_telegram import message_update, webhook_headers

    client = worker_app.test_client()
    update = message_update(4501, "/start event_1")
    response = client.post("/telegram/webhook", json=update, headers=webhook_headers(worker_app))
    assert response.status_code == 200
    assert fake_telegram.all_calls == []  # answered without one call to Telegram
    with worker_app.app_context():
        assert get_queue().count == 1
    run_worker(worker_app)
    [params] = fake_telegram.messages(4501)
    assert params["reply_markup"]["inline_keyboard"][0][0]["web_app"]["url"].endswith(
        "startapp=event_1"
    )
