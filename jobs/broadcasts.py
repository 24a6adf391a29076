"""Broadcast jobs: queue the messages of broadcasts an admin sent (never in the request).

`install_prepare_trigger` (called by the app factory) listens for commits (`jobs.triggers`):
a session that made a broadcast (`webapp.admin.broadcasts.services.create_broadcast` marks
it) starts one preparing job after it commits, coalesced, so a burst starts one run. The
sweep in `jobs/schedule.py` runs the same job every minute, so a broadcast whose job was
lost (a crash, Redis down at the commit) is still queued. Running twice is harmless: each
broadcast is prepared once (`prepare_broadcast`).
"""

from __future__ import annotations

from jobs.context import job_context
from jobs.queue import enqueue
from jobs.triggers import CommitTrigger
from webapp.admin.broadcasts import services
from webapp.extensions import db

PREPARE_TIMEOUT = 1800  # a million recipients is a few INSERT … SELECTs; leave room


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


# Called by the app factory.
install_prepare_trigger = CommitTrigger(
    "preparing a broadcast", services.take_prepare_mark, start_preparing
).install
