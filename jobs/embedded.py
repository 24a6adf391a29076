"""The embedded mode's periodic jobs: a timer thread in the web process (no Redis).

Started by serving the first request of an app without `REDIS_URL` (never at import, never
in tests or CLI commands), it runs `PERIODIC_JOBS` at their intervals, each in its own app
context. With several web processes each runs its own timer: the jobs are idempotent.
With Redis, RQ's scheduler runs them instead (`jobs/periodic.py`).
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask

from jobs.periodic import record_success
from jobs.queue import resolve
from jobs.schedule import PERIODIC_JOBS, PeriodicJob
from webapp.database import utcnow

log = logging.getLogger(__name__)

START_PERIODIC_JOBS = "hub_start_periodic_jobs"


class EmbeddedScheduler(threading.Thread):
    def __init__(self, app: Flask, jobs: list[PeriodicJob], tick: float = 1.0) -> None:
        super().__init__(name="hub-periodic", daemon=True)
        self.app = app
        self.jobs = list(jobs)
        self.tick = tick
        self.stopping = threading.Event()
        self.runs: dict[str, int] = {job.name: 0 for job in self.jobs}

    def run(self) -> None:
        next_run = {job.name: time.monotonic() for job in self.jobs}
        while not self.stopping.is_set():
            for job in self.jobs:
                if time.monotonic() >= next_run[job.name]:
                    next_run[job.name] = time.monotonic() + job.every.total_seconds()
                    self.run_once(job)
            self.stopping.wait(self.tick)

    def run_once(self, job: PeriodicJob) -> None:
        try:
            with self.app.app_context():
                resolve(job.func)()
                record_success(job.name)
        except Exception:
            log.exception("periodic job %s failed", job.name)
        finally:
            self.runs[job.name] += 1

    def stop(self) -> None:
        self.stopping.set()


def wants_embedded_scheduler(app: Flask) -> bool:
    return not (app.config.get("REDIS_URL") or app.testing or app.config.get("JOBS_INLINE"))


def start_embedded_scheduler(app: Flask) -> EmbeddedScheduler | None:
    """Start the timer thread once per app (a no-op with Redis or in tests)."""
    if not wants_embedded_scheduler(app):
        return None
    with _lock:
        scheduler = app.extensions.get("hub_embedded_scheduler")
        if scheduler is None:
            scheduler = EmbeddedScheduler(app, PERIODIC_JOBS)
            app.extensions["hub_embedded_scheduler"] = scheduler
            scheduler.start()
        return scheduler


_lock = threading.Lock()


def init_app(app: Flask) -> None:
    """Serving the first request starts the timer (a run mode, not an import); another run
    mode (`flask bot poll`) starts it through `app.extensions[START_PERIODIC_JOBS]`. The
    schedule is handed to the app for `/health` (each job's period)."""
    app.extensions["hub_periodic_jobs"] = [(job.name, job.every) for job in PERIODIC_JOBS]
    app.extensions["hub_periodic_since"] = utcnow()
    started = threading.Event()
    app.extensions[START_PERIODIC_JOBS] = lambda: start_embedded_scheduler(app)

    @app.before_request
    def start_periodic_jobs() -> None:
        if not started.is_set():
            started.set()
            start_embedded_scheduler(app)
