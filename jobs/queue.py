"""`enqueue`: the one way to start a background job.

* With `REDIS_URL`: an RQ job on the queue `<REDIS_KEY_PREFIX>:<queue>`, with a timeout, a
  retry policy (needs the worker's scheduler, which `jobs/worker.py` always runs) and TTLs.
* Without Redis (embedded mode): the same job function on this process's small thread pool.
* `JOBS_INLINE` (testing): the job runs now, in the caller's thread, and its errors propagate.

`coalesce="name"` starts at most one *waiting* job of that name: while one is queued, further
calls add nothing; once it starts, the next call queues another (so work committed during a
run is not missed). The name is a Redis key (`SET NX`) shared by all processes, or a set in
this process in the embedded mode.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from rq import Queue, Retry
from rq.utils import import_attribute

from webapp.redis_store import get_redis, redis_key

log = logging.getLogger(__name__)

QUEUES = ("default",)
DEFAULT_TIMEOUT = 180
DEFAULT_RETRY = Retry(max=3, interval=[10, 60, 300])
RESULT_TTL = int(timedelta(hours=1).total_seconds())
FAILURE_TTL = int(timedelta(days=7).total_seconds())
COALESCE_TTL = 600  # a lost coalesced job stops blocking new ones after this long

JobFunc = Callable[..., Any] | str


def queue_name(name: str = "default", prefix: str | None = None) -> str:
    """The RQ queue name for the app's `REDIS_KEY_PREFIX` (test runs and apps kept apart)."""
    return f"{prefix}:{name}" if prefix else redis_key(name)


def job_id_for(queue: Queue, *parts: object) -> str:
    """A job id starting with the queue's name (RQ allows only `[A-Za-z0-9_-]`)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", "-".join([queue.name, *(str(p) for p in parts)]))


def get_queue(name: str = "default") -> Queue:
    redis = get_redis()
    if redis is None:
        raise RuntimeError("no REDIS_URL: there is no RQ queue in the embedded mode")
    return Queue(queue_name(name), connection=redis)


def enqueue(
    func: JobFunc,
    *args: Any,
    job_id: str | None = None,
    queue: str = "default",
    timeout: int = DEFAULT_TIMEOUT,
    retry: Retry | None = DEFAULT_RETRY,
    coalesce: str | None = None,
    **kwargs: Any,
) -> str | None:
    """Run `func(*args, **kwargs)` in the background; return the RQ job id (None when run
    in-process or coalesced into a waiting job). `func` may be a dotted path."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("JOBS_INLINE"):
        resolve(func)(*args, **kwargs)
        return None
    redis = get_redis()
    if redis is None:
        _local_jobs(app).submit(func, args, kwargs, coalesce)
        return None
    target = _path(func)  # RQ imports the job by its dotted path
    if coalesce:
        flag = redis_key("jobs", "coalesce", coalesce)
        if not redis.set(flag, "1", nx=True, ex=COALESCE_TTL):
            return None
        target, args = "jobs.queue.run_coalesced", (flag, _path(func), *args)
    rq_queue = get_queue(queue)
    job = rq_queue.enqueue(
        target,
        args=args,
        kwargs=kwargs,
        # Ids carry the queue's prefix, so an app's (or a test run's) keys stay its own.
        job_id=job_id or job_id_for(rq_queue, uuid.uuid4().hex),
        job_timeout=timeout,
        retry=retry,
        result_ttl=RESULT_TTL,
        failure_ttl=FAILURE_TTL,
    )
    return job.id


def run_coalesced(flag: str, func: str, *args: Any, **kwargs: Any) -> Any:
    """The RQ side of `coalesce`: free the name first, so later calls queue a new run."""
    from jobs.context import job_context

    with job_context():
        redis = get_redis()
        if redis is not None:
            redis.delete(flag)
    return resolve(func)(*args, **kwargs)


def resolve(func: JobFunc) -> Callable[..., Any]:
    return import_attribute(func) if isinstance(func, str) else func


def _path(func: JobFunc) -> str:
    return func if isinstance(func, str) else f"{func.__module__}.{func.__qualname__}"


class LocalJobs:
    """The embedded mode's job runner: two threads, coalescing by name, errors logged.

    The threads are daemons: a process that is asked to stop (gunicorn, a CLI command) does
    not wait for a job stuck on the network. Nothing is lost — every job is idempotent and
    the outbox and the periodic sweeps pick up whatever a stopped job left undone.
    """

    def __init__(self, app: Flask, workers: int = 2) -> None:
        self._app = app
        self._queue: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._work, name=f"hub-job-{n}", daemon=True)
            for n in range(workers)
        ]
        for thread in self._threads:
            thread.start()
        self._lock = threading.Lock()
        self._waiting: set[str] = set()

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            self._run(*item)

    def submit(
        self, func: JobFunc, args: tuple[Any, ...], kwargs: dict[str, Any], coalesce: str | None
    ) -> None:
        if coalesce:
            with self._lock:
                if coalesce in self._waiting:
                    return
                self._waiting.add(coalesce)
        self._queue.put((func, args, kwargs, coalesce))

    def _run(
        self, func: JobFunc, args: tuple[Any, ...], kwargs: dict[str, Any], coalesce: str | None
    ) -> None:
        if coalesce:
            with self._lock:
                self._waiting.discard(coalesce)
        try:
            with self._app.app_context():
                resolve(func)(*args, **kwargs)
        except Exception:
            log.exception("background job %s failed", _path(func))

    def shutdown(self) -> None:
        """Let the queued jobs finish, then stop the threads."""
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()


_local_lock = threading.Lock()


def _local_jobs(app: Flask) -> LocalJobs:
    with _local_lock:
        jobs = app.extensions.get("hub_local_jobs")
        if jobs is None:
            jobs = app.extensions["hub_local_jobs"] = LocalJobs(app)
        return jobs
