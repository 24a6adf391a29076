"""Periodic jobs on RQ's own scheduler: one scheduled job per period, named by its slot.

Time is cut into slots of `every` seconds; the run for slot *k* is the RQ job
`<queue>-periodic-<name>-<k>`, scheduled (`ScheduledJobRegistry`, moved to the queue by the
scheduler of a worker started `--with-scheduler`) for the slot's start. It is created with
RQ's `unique=True`, an atomic "only if no job has this id", so any number of workers and
runs can try to schedule the same slot and exactly one job exists.

* A worker, when it starts, schedules the current slot of every `PERIODIC_JOBS` entry (due
  now, unless that slot has run already) — the chain starts, or restarts after an outage.
* Each run first schedules its next slot, then does its work, so a failing or killed run
  never breaks the chain (unlike RQ's `Repeat`, which repeats only after success).
* The job ids outlive their slot (`result_ttl`/`failure_ttl` ≥ two periods), so a slot that
  ran is not run again. Job functions are idempotent anyway: two runs of one slot are safe.

The embedded mode without Redis runs the same list on a timer thread (`jobs/embedded.py`).
"""

from __future__ import annotations

import logging
import math
import time
from datetime import UTC, datetime
from typing import Any

from rq import Queue
from rq.exceptions import DuplicateJobError
from rq.job import Job

from jobs.queue import FAILURE_TTL, job_id_for, resolve
from jobs.schedule import PeriodicJob

log = logging.getLogger(__name__)


def slot_of(every: float, now: float | None = None) -> int:
    return math.floor((time.time() if now is None else now) / every)


def slot_job_id(queue: Queue, name: str, slot: int) -> str:
    return job_id_for(queue, "periodic", name, slot)


def schedule_slot(queue: Queue, name: str, func: str, every: float, slot: int) -> Job | None:
    """Schedule the run of `name` for `slot`; None when that slot already has its job."""
    ttl = max(int(every * 2) + 60, 600)
    job = queue.create_job(
        "jobs.periodic.run_periodic",
        args=(name, func, every),
        job_id=slot_job_id(queue, name, slot),
        timeout=600,  # a periodic run is short; a stuck one must not block its worker long
        result_ttl=ttl,
        failure_ttl=max(ttl, FAILURE_TTL),
        description=f"periodic {name} (slot {slot})",
    )
    at = datetime.fromtimestamp(slot * every, UTC)
    try:
        return queue.schedule_job(job, at, unique=True)
    except DuplicateJobError:
        return None


def register_periodic_jobs(queue: Queue, jobs: list[PeriodicJob]) -> list[str]:
    """Start (or restart) every chain at its current slot; return the jobs scheduled."""
    scheduled = []
    for periodic in jobs:
        every = periodic.every.total_seconds()
        job = schedule_slot(queue, periodic.name, periodic.func, every, slot_of(every))
        if job is not None:
            scheduled.append(job.id)
    return scheduled


def run_periodic(name: str, func: str, every: float) -> Any:
    """The RQ job of one slot: schedule the next slot, then run `func()`."""
    from rq import get_current_job

    current = get_current_job()
    if current is not None:
        queue = Queue(current.origin, connection=current.connection)
        schedule_slot(queue, name, func, every, slot_of(every) + 1)
    log.info("periodic job %s", name)
    return resolve(func)()
