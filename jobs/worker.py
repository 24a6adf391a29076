"""The RQ worker, run by the top-level entry point `worker.py` (`Procfile`: `worker: python
worker.py`), which hands over the app factory: the jobs sit below it and never import it.

Builds the app once, before RQ forks a work horse per job (each job then opens its own app
context), enqueues a catch-up run of every periodic job and starts the periodic ticker
(`jobs.periodic`), and runs an RQ worker with its scheduler on the app's queues
(`<REDIS_KEY_PREFIX>:default`). Equivalent to `rq worker --with-scheduler` plus the schedule
and the app.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import time
from collections.abc import Callable

from flask import Flask
from redis import Redis
from redis import exceptions as redis_errors
from rq import Queue, SimpleWorker, Worker

from jobs.context import set_worker_app
from jobs.periodic import PeriodicTicker, catch_up, release_stale_scheduler_locks
from jobs.queue import QUEUES, queue_name
from jobs.schedule import PERIODIC_JOBS

log = logging.getLogger(__name__)
MAINTENANCE_SECONDS = 30
RESTART_PAUSE = 1.0


def main(build_app: Callable[[], Flask], argv: list[str] | None = None) -> None:
    """Parse the options, build the app with `build_app`, and work until stopped."""
    parser = argparse.ArgumentParser(description="Run an RQ worker with its scheduler.")
    parser.add_argument("--burst", action="store_true", help="quit when the queues are empty")
    parser.add_argument(
        "--no-fork", action="store_true", help="run jobs in this process (SimpleWorker)"
    )
    options = parser.parse_args(argv)

    app = build_app()
    set_worker_app(app)
    redis = app.extensions.get("redis")
    if redis is None:
        raise SystemExit("REDIS_URL is not set: without Redis jobs run inside the web process")
    prefix = app.config["REDIS_KEY_PREFIX"]
    queues = [Queue(queue_name(name, prefix), connection=redis) for name in QUEUES]
    # The ticker's own client: short timeouts (RQ raises those of the worker's connection to
    # wait on the queue), so a frozen Redis delays a tick, never the worker.
    ticker_redis = Redis.from_url(
        app.config["REDIS_URL"], socket_timeout=5, socket_connect_timeout=5
    )
    ticker = PeriodicTicker(Queue(queues[0].name, connection=ticker_redis), PERIODIC_JOBS)
    try:
        release_stale_scheduler_locks(ticker_redis, [q.name for q in queues])
        started = catch_up(ticker.queue, PERIODIC_JOBS)
        log.info("periodic jobs enqueued at start: %s", started)
    except Exception as exc:  # Redis not there yet: the ticker keeps trying
        log.warning("periodic jobs not enqueued at start: %s", exc)
    if not options.burst:
        ticker.start()
    worker_class = SimpleWorker if options.no_fork else Worker
    while True:
        # Maintenance (restarting a scheduler that died, cleaning registries) every 30 s
        # instead of RQ's 10 minutes: a scheduler lost to a Redis restart comes back quickly.
        worker = worker_class(queues, connection=redis, maintenance_interval=MAINTENANCE_SECONDS)
        try:
            worker.work(
                with_scheduler=True, burst=options.burst, logging_level=app.config["LOG_LEVEL"]
            )
        except redis_errors.RedisError as exc:  # lost Redis while tearing down
            log.warning("worker stopped by a Redis error: %s", exc)
        if options.burst or getattr(worker, "_stop_requested", False):
            break
        # RQ quits when Redis goes away while a job runs: start over once Redis answers
        # again, instead of leaving a dead worker for a person to restart.
        log.warning("worker quit without being asked to; starting it again")
        _wait_for_redis(redis)
        with contextlib.suppress(Exception):
            release_stale_scheduler_locks(ticker_redis, [q.name for q in queues])


def _wait_for_redis(redis: Redis) -> None:
    while True:
        try:
            redis.ping()
            return
        except redis_errors.RedisError:
            time.sleep(RESTART_PAUSE)
