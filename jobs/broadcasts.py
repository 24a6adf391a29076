"""Broadcast jobs: queue the messages of broadcasts an admin sent (never in the request).

`install_prepare_trigger` (called by the app factory) listens for commits: a session that
made a broadcast (`webapp.admin.broadcasts.services.create_broadcast` marks it) starts one
preparing job after it commits, coalesced, so a burst of broadcasts starts one run. The
sweep in `jobs/schedule.py` runs the same job every minute, so a broadcast whose job was
lost (a crash, Redis down at the commit) is still queued. Running twice is harmless: each
broadcast is prepared once (`prepare_broadcast`).
"""

from __future__ import annotations

import logging
import threading

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from jobs.context import job_context
from jobs.queue import enqueue
from webapp.admin.broadcasts import services
from webapp.extensions import db

log = logging.getLogger(__name__)

PREPARE_TIMEOUT = 1800  # a million recipients is a few INSERT … SELECTs; leave room

_trigger_lock = threading.Lock()
_trigger_installed = False


def prepare_broadcasts() -> int:
    """Queue the messages of every broadcast still preparing, each in its own transaction;
    returns how many messages were queued."""
    queued = 0
    with job_context():
        for broadcast_id in services.preparing_broadcasts():
            queued += services.prepare_broadcast(broadcast_id)
            db.session.commit()
    return queued


def start_preparing() -> None:
    """Start (or coalesce into) one preparing job."""
    enqueue(
        "jobs.broadcasts.prepare_broadcasts",
        coalesce="broadcasts-prepare",
        timeout=PREPARE_TIMEOUT,
    )


def install_prepare_trigger() -> None:
    """Listen for commits of any session (once per process)."""
    global _trigger_installed
    with _trigger_lock:
        if not _trigger_installed:
            event.listen(Session, "after_commit", _after_commit)
            event.listen(Session, "after_rollback", _after_rollback)
            _trigger_installed = True


def _after_commit(session: Session) -> None:
    if not services.take_prepare_mark(session) or not has_app_context():
        return
    try:
        start_preparing()
    except Exception:  # the broadcast is committed; the sweep prepares it within a minute
        log.exception("could not start preparing a broadcast (app %s)", current_app.name)


def _after_rollback(session: Session) -> None:
    services.take_prepare_mark(session)  # the broadcast is gone, and the reason to prepare
