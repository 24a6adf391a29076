"""The worker entry point (`Procfile`: `worker: python -m jobs.worker`).

Builds the app once, before RQ forks a work horse per job (each job then opens its own app
context), starts every periodic chain (`jobs.periodic`), and runs an RQ worker with its
scheduler on the app's queues (`<REDIS_KEY_PREFIX>:default`). Equivalent to
`rq worker --with-scheduler` plus the schedule and the app.
"""

from __future__ import annotations

import argparse
import logging

from dotenv import load_dotenv
from rq import Queue, SimpleWorker, Worker

from jobs.context import set_worker_app
from jobs.periodic import register_periodic_jobs
from jobs.queue import QUEUES, queue_name
from jobs.schedule import PERIODIC_JOBS

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run an RQ worker with its scheduler.")
    parser.add_argument("--burst", action="store_true", help="quit when the queues are empty")
    parser.add_argument(
        "--no-fork", action="store_true", help="run jobs in this process (SimpleWorker)"
    )
    options = parser.parse_args(argv)

    load_dotenv()
    from webapp import create_app

    app = create_app()
    set_worker_app(app)
    redis = app.extensions.get("redis")
    if redis is None:
        raise SystemExit("REDIS_URL is not set: without Redis jobs run inside the web process")
    prefix = app.config["REDIS_KEY_PREFIX"]
    queues = [Queue(queue_name(name, prefix), connection=redis) for name in QUEUES]
    scheduled = register_periodic_jobs(queues[0], PERIODIC_JOBS)
    log.info("periodic jobs scheduled: %s", scheduled)
    worker_class = SimpleWorker if options.no_fork else Worker
    worker = worker_class(queues, connection=redis)
    worker.work(with_scheduler=True, burst=options.burst, logging_level=app.config["LOG_LEVEL"])


if __name__ == "__main__":
    main()
