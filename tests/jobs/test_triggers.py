"""A commit that carries work starts its job once; a rollback drops the reason; a job that
cannot be started is logged, never raised into the committed change."""

from __future__ import annotations

import logging

import pytest
from flask import Flask

from jobs.triggers import CommitTrigger


class _Marks:
    """A session mark as the outbox keeps it: taken once."""

    def __init__(self) -> None:
        self.marked: set[object] = set()

    def take(self, session: object) -> bool:
        if session in self.marked:
            self.marked.discard(session)
            return True
        return False


def test_a_marked_commit_starts_the_job_once(app: Flask) -> None:
    marks, started = _Marks(), []
    trigger = CommitTrigger("a test job", marks.take, lambda: started.append(1))
    session = object()
    marks.marked.add(session)
    with app.app_context():
        trigger._after_commit(session)  # type: ignore[arg-type]
        trigger._after_commit(session)  # type: ignore[arg-type]  # the mark is taken
        trigger._after_commit(object())  # type: ignore[arg-type]  # an unmarked session
    assert started == [1]


def test_a_rollback_takes_the_mark_and_starts_nothing(app: Flask) -> None:
    marks, started = _Marks(), []
    trigger = CommitTrigger("a test job", marks.take, lambda: started.append(1))
    session = object()
    marks.marked.add(session)
    with app.app_context():
        trigger._after_rollback(session)  # type: ignore[arg-type]
        trigger._after_commit(session)  # type: ignore[arg-type]
    assert started == [] and marks.marked == set()


def test_a_failed_start_is_logged_not_raised(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> None:
        raise ConnectionError("Redis is down")

    marks = _Marks()
    trigger = CommitTrigger("a test job", marks.take, broken)
    session = object()
    marks.marked.add(session)
    with app.app_context(), caplog.at_level(logging.ERROR, logger="jobs.triggers"):
        trigger._after_commit(session)  # type: ignore[arg-type]
    assert "could not start a test job" in caplog.text and "Redis is down" in caplog.text
