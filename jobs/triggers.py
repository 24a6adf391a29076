"""Start a job once a commit carries work for it.

A service marks the session that made the work (the outbox marks a queued message, the
broadcasts mark a broadcast to prepare); after that session commits, the trigger takes the
mark and starts the job — coalesced by the job itself, so a burst of commits starts one run.
A rollback takes the mark too: the work is gone, and with it the reason to start. Starting is
best effort: the change is committed either way, and each job's sweep in `jobs/schedule.py`
picks up what a lost start left.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


class CommitTrigger:
    """`start()` after a commit of a session `take_mark(session)` finds marked."""

    def __init__(
        self, what: str, take_mark: Callable[[Session], bool], start: Callable[[], None]
    ) -> None:
        self.what = what
        self.take_mark = take_mark
        self.start = start
        self._lock = threading.Lock()
        self._installed = False

    def install(self) -> None:
        """Listen for commits and rollbacks of any session (once per process)."""
        with self._lock:
            if not self._installed:
                event.listen(Session, "after_commit", self._after_commit)
                event.listen(Session, "after_rollback", self._after_rollback)
                self._installed = True

    def _after_commit(self, session: Session) -> None:
        if not self.take_mark(session) or not has_app_context():
            return
        try:
            self.start()
        except Exception:  # the change is committed; the sweep starts the job later
            log.exception("could not start %s", self.what)

    def _after_rollback(self, session: Session) -> None:
        self.take_mark(session)
