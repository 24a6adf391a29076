"""The app context a job runs in.

A worker builds the app once (before forking, see `jobs/worker.py`); each job then runs in a
fresh app context. Run in-process (embedded mode, tests), a job reuses the caller's app.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, has_app_context

_worker_app: Flask | None = None
_pools_pid = os.getpid()


def set_worker_app(app: Flask) -> None:
    global _worker_app
    _worker_app = app


def job_app() -> Flask:
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    global _worker_app
    if _worker_app is None:
        from webapp import create_app

        _worker_app = create_app()
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
