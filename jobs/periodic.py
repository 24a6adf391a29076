"""Periodic jobs on RQ: one job per period ("slot"), enqueued by every worker's ticker.

Time is cut into slots of `every` seconds; the run for slot *k* is the RQ job
`<queue>-periodic-<name>-<k>`, put straight on the queue with RQ's `unique=True` (an atomic
"only if no job has this id"), so any number of workers and ticks can try to enqueue the same
slot and exactly one job exists. The job ids outlive their slot (`result_ttl`/`failure_ttl`
≥ two periods), so a slot that ran is not run again.

Nothing here depends on RQ's scheduler, its lock or a chain of jobs scheduling each other, so
nothing stays stopped after a crash:

* `PeriodicTicker` — a thread in every worker process — enqueues the due slots every few
  seconds. After Redis restarted empty, the next tick enqueues the current slots again.
* When a worker starts, `catch_up` runs every job once at once (once for all the workers of
  a deploy that start before that run is picked up; a worker restarted after a crash gets
  its own run even within the same window), so work a killed worker left half done, or a
  schedule Redis lost, resumes in seconds instead of one period later. Job functions are
  idempotent: an extra run is harmless.
* A scheduler lock left by a killed worker on this host is released
  (`release_stale_scheduler_locks`), so RQ's scheduler (retries, `enqueue_in`) comes back in
  seconds instead of after RQ's ten-minute fallback.
* Every successful run is recorded in the database (`webapp.core.periodic`); `/health`
  answers 503 when a job is more than three periods late.

The embedded mode without Redis runs the same list on a timer thread (`jobs/embedded.py`).
"""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time
import uuid
from typing import Any

from redis import Redis
from rq import Queue
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus
from rq.scheduler import SCHEDULER_KEY_TEMPLATE, RQScheduler
from rq.scripts import release_lock

from jobs.queue import FAILURE_TTL, job_id_for, resolve
from jobs.schedule import PeriodicJob

log = logging.getLogger(__name__)

TICK_SECONDS = 5.0
CATCH_UP_WINDOW = 10.0  # workers starting together (a deploy) share one catch-up run
PERIODIC_TIMEOUT = 600  # a periodic run is short; a stuck one must not block its worker long


def slot_of(every: float, now: float | None = None) -> int:
    return math.floor((time.time() if now is None else now) / every)


def slot_job_id(queue: Queue, name: str, slot: int, suffix: str = "") -> str:
    return job_id_for(queue, "periodic", name, f"{slot}{suffix}")


def enqueue_slot(queue: Queue, periodic: PeriodicJob, slot: int, *, suffix: str = "") -> Job | None:
    """Enqueue the run of `periodic` for `slot`; None when that slot already has its job."""
    every = periodic.every.total_seconds()
    ttl = max(int(every * 2) + 60, 600)
    job = queue.create_job(
        "jobs.periodic.run_periodic",
        args=(periodic.name, periodic.func),
        job_id=slot_job_id(queue, periodic.name, slot, suffix),
        timeout=PERIODIC_TIMEOUT,
        result_ttl=ttl,
        failure_ttl=max(ttl, FAILURE_TTL),
        description=f"periodic {periodic.name} (slot {slot}{suffix})",
    )
    try:
        return queue.enqueue_job(job, unique=True)
    except DuplicateJobError:
        return None


def register_periodic_jobs(queue: Queue, jobs: list[PeriodicJob]) -> list[str]:
    """Enqueue the current slot of every job that has no job for it yet; return the ids.
    Idempotent: call it as often as you like, from as many processes as you like."""
    enqueued = []
    for periodic in jobs:
        job = enqueue_slot(queue, periodic, slot_of(periodic.every.total_seconds()))
        if job is not None:
            enqueued.append(job.id)
    return enqueued


def catch_up(queue: Queue, jobs: list[PeriodicJob]) -> list[str]:
    """At a worker's start: one run of every job now (once for all workers that start
    within `CATCH_UP_WINDOW` seconds of each other), whatever happened before — a worker
    killed mid-run, a Redis that lost the schedule — instead of waiting up to a period for
    the next slot. Also enqueues the current slots. Returns the ids enqueued."""
    enqueued = register_periodic_jobs(queue, jobs)
    started = slot_of(CATCH_UP_WINDOW)
    for periodic in jobs:
        slot = slot_of(periodic.every.total_seconds())
        suffix = f"-start{started}"
        job = enqueue_slot(queue, periodic, slot, suffix=suffix)
        if job is None and not _still_waiting(
            queue, slot_job_id(queue, periodic.name, slot, suffix)
        ):
            # The shared run already ran (or its worker died running it): a worker restarted
            # within the same window after a crash must not count it as its own catch-up.
            job = enqueue_slot(queue, periodic, slot, suffix=f"{suffix}-{uuid.uuid4().hex[:8]}")
        if job is not None:
            enqueued.append(job.id)
    return enqueued


def _still_waiting(queue: Queue, job_id: str) -> bool:
    """Is the job with this id on the queue and not yet picked up by any worker?"""
    try:
        status = Job.fetch(job_id, connection=queue.connection).get_status()
    except NoSuchJobError:
        return False
    return status in (JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SCHEDULED)


def release_stale_scheduler_locks(connection: Redis, queue_names: list[str]) -> list[str]:
    """Release RQ scheduler locks whose holder was a process on this host that is gone
    (killed with -9: it never released them, and they would block for a minute, then RQ
    would not look again for ten). Locks of live or remote schedulers are left alone."""
    released = []
    hostname = socket.gethostname()
    for name in queue_names:
        key = RQScheduler.get_locking_key(name)
        holder = connection.get(key)
        if holder is None:
            continue
        holder_name = _text(holder)
        info = connection.hgetall(SCHEDULER_KEY_TEMPLATE % holder_name)
        host = _text(info.get(b"hostname", b""))
        pid = int(_text(info.get(b"pid", b"0")) or 0)
        if host == hostname and pid > 0 and not _alive(pid):
            release_lock(connection, key, holder_name)
            released.append(name)
    if released:
        log.warning("released stale scheduler locks of a dead process: %s", released)
    return released


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # somebody else's live process
        return True
    # A process killed a moment ago stays a zombie until it is reaped: it is dead all the same.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):  # no /proc here: trust the signal check
        return True


def run_periodic(name: str, func: str, every: float | None = None) -> Any:
    """The RQ job of one slot: run `func()` and record the success (`every` is accepted for
    jobs enqueued by earlier versions)."""
    log.info("periodic job %s", name)
    result = resolve(func)()
    record_success(name)
    return result


def record_success(name: str) -> None:
    """Remember a successful run in the database (what `/health` reads)."""
    from jobs.context import job_context
    from webapp.core.periodic import record_success as record
    from webapp.extensions import db

    with job_context():
        record(name)
        db.session.commit()


class PeriodicTicker(threading.Thread):
    """Every `tick` seconds: enqueue the due slots and release stale scheduler locks.

    A daemon thread of the worker's main process (the work horses it forks do not inherit
    it); its own Redis client has short timeouts, and a Redis that is down is retried on the
    next tick.
    """

    def __init__(self, queue: Queue, jobs: list[PeriodicJob], tick: float = TICK_SECONDS):
        super().__init__(name="hub-periodic-ticker", daemon=True)
        self.queue = queue
        self.jobs = list(jobs)
        self.tick = tick
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(self.tick):
            self.tick_once()

    def tick_once(self) -> list[str]:
        try:
            enqueued = register_periodic_jobs(self.queue, self.jobs)
            release_stale_scheduler_locks(self.queue.connection, [self.queue.name])
        except Exception as exc:  # Redis down: try again on the next tick
            log.warning("periodic ticker: %s", exc)
            return []
        if enqueued:
            log.debug("periodic jobs enqueued: %s", enqueued)
        return enqueued

    def stop(self) -> None:
        self.stopping.set()


def _text(value: bytes | str) -> str:
    """A Redis reply as text, whether the client decodes replies or not."""
    return value.decode() if isinstance(value, bytes) else str(value)
