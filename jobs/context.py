"""The app context a job runs in.

The worker entry point builds the app once (before forking, see `worker.py`) and hands
it over with `set_worker_app`; each job then runs in a fresh app context of it. Run
in-process (the embedded mode's threads, `JOBS_INLINE`), a job runs inside its app's context
already and uses that app. This module never builds an app itself: the jobs sit below the
app factory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, has_app_context

_worker_app: Flask | None = None
_pools_pid = os.getpid()


def set_worker_app(app: Flask | None) -> None:
    """The app this worker process runs its jobs in (None forgets it)."""
    global _worker_app
    _worker_app = app


def job_app() -> Flask:
    """The current app, or the worker's; a job outside both has nothing to run in."""
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    if _worker_app is None:
        raise RuntimeError(
            "no app for this job: start workers with `python worker.py`, which builds "
            "the app and hands it over with set_worker_app"
        )
    return _worker_app


@contextmanager
def job_context() -> Iterator[Flask]:
    """A fresh app context (its own database session) for one job run."""
    app = job_app()
    with app.app_context():
        _fresh_pools_after_fork()
        yield app


def _fresh_pools_after_fork() -> None:
    """A forked work horse must not reuse its parent's database connections."""
    global _pools_pid
    if os.getpid() != _pools_pid:
        from webapp.extensions import db

        for engine in db.engines.values():
            engine.dispose(close=False)
        _pools_pid = os.getpid()
