"""What the job queues hold, read through RQ's own API, and the two repairs: retry, delete.

`queue_names()` is the one place that says which queues the dashboard shows. It lists the
queues RQ has registered whose name starts with this app's `REDIS_KEY_PREFIX` (so apps and
test runs sharing a Redis stay apart), plus any named in the `RQ_QUEUES` setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from redis import Redis
from rq import Queue
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job
from rq.registry import (
    DeferredJobRegistry,
    FailedJobRegistry,
    FinishedJobRegistry,
    ScheduledJobRegistry,
    StartedJobRegistry,
)
from rq.results import Result

from webapp.errors import Conflict, NotFound

ERROR_PREVIEW = 300


@dataclass(frozen=True)
class QueueSummary:
    name: str
    queued: int
    started: int
    scheduled: int
    deferred: int
    finished: int
    failed: int


@dataclass(frozen=True)
class FailedJob:
    id: str
    queue: str
    func_name: str | None
    description: str | None
    error: str
    ended_at: datetime | None

    @property
    def error_summary(self) -> str:
        """The last line of the traceback (the exception), shortened."""
        lines = [line for line in self.error.strip().splitlines() if line.strip()]
        last = lines[-1] if lines else ""
        return last if len(last) <= ERROR_PREVIEW else last[: ERROR_PREVIEW - 1] + "…"


def queue_names(redis: Redis) -> list[str]:
    """The queues of this app, sorted."""
    prefix = current_app.config.get("REDIS_KEY_PREFIX", "hub")
    registered = {queue.name for queue in Queue.all(connection=redis)}
    ours = {name for name in registered if name.startswith(prefix)}
    ours.update(current_app.config.get("RQ_QUEUES") or ())
    return sorted(ours)


def summaries(redis: Redis) -> list[QueueSummary]:
    found = []
    for name in queue_names(redis):
        queue = Queue(name, connection=redis)
        found.append(
            QueueSummary(
                name=name,
                queued=queue.count,
                started=StartedJobRegistry(queue=queue).count,
                scheduled=ScheduledJobRegistry(queue=queue).count,
                deferred=DeferredJobRegistry(queue=queue).count,
                finished=FinishedJobRegistry(queue=queue).count,
                failed=FailedJobRegistry(queue=queue).count,
            )
        )
    return found


def _error_text(job: Job) -> str:
    result = job.latest_result()
    if result is not None and result.type == Result.Type.FAILED:
        return result.exc_string or ""
    return ""


def failed_jobs(redis: Redis, *, limit: int = 100) -> list[FailedJob]:
    """The most recent failed jobs of every queue, with their error text."""
    jobs: list[FailedJob] = []
    for name in queue_names(redis):
        registry = FailedJobRegistry(queue=Queue(name, connection=redis))
        for job_id in registry.get_job_ids(0, limit - 1, desc=True):
            try:
                job = Job.fetch(job_id, connection=redis)
            except NoSuchJobError:
                continue  # expired between listing and fetching
            jobs.append(
                FailedJob(
                    id=job.id,
                    queue=name,
                    func_name=job.func_name,
                    description=job.description,
                    error=_error_text(job),
                    ended_at=job.ended_at,
                )
            )
    jobs.sort(key=lambda j: j.ended_at.timestamp() if j.ended_at else 0, reverse=True)
    return jobs[:limit]


def _failed_job(redis: Redis, job_id: str) -> tuple[Job, FailedJobRegistry]:
    """A failed job of one of this app's queues, or NotFound."""
    try:
        job = Job.fetch(job_id, connection=redis)
    except NoSuchJobError as exc:
        raise NotFound(_l("No such job.")) from exc
    if job.origin not in queue_names(redis):
        raise NotFound(_l("No such job."))
    registry = FailedJobRegistry(queue=Queue(job.origin, connection=redis))
    if job.id not in registry:
        raise Conflict(_l("This job has not failed."))
    return job, registry


def retry(redis: Redis, job_id: str) -> Job:
    """Put a failed job back on its queue."""
    job, registry = _failed_job(redis, job_id)
    try:
        return registry.requeue(job)
    except InvalidJobOperation as exc:  # requeued by someone else meanwhile
        raise Conflict(_l("This job has not failed.")) from exc


def delete(redis: Redis, job_id: str) -> None:
    """Forget a failed job for good."""
    job, _registry = _failed_job(redis, job_id)
    job.delete()
