"""The app a job runs in: the caller's, or the one the worker entry point handed over."""

from __future__ import annotations

import pytest

from jobs.context import job_app, job_context, set_worker_app


def test_a_job_runs_in_the_app_the_worker_handed_over(app):
    """Outside any app context, does a job run in the worker's app (built once by
    `python worker.py`), in a fresh context of its own?"""
    set_worker_app(app)
    try:
        with job_context() as running:
            assert running is app
    finally:
        set_worker_app(None)


def test_a_job_with_no_app_is_refused_rather_than_building_one():
    """With neither an app context nor a worker's app, is the job refused (the jobs never
    build the app themselves: they sit below the app factory)?"""
    set_worker_app(None)
    with pytest.raises(RuntimeError, match=r"python worker\.py"):
        job_app()
