"""Event jobs: the 24 h and 1 h reminders (the rule lives in `webapp.events.services`)."""

from __future__ import annotations

from jobs.context import job_context
from webapp.events import services
from webapp.extensions import db


def send_event_reminders() -> int:
    """Queue the due reminders; safe to run twice or on several workers at once."""
    with job_context():
        queued = services.queue_reminders()
        db.session.commit()
        return queued
