"""Task jobs: the bot's due reminders (the rule lives in `webapp.tasks.services`)."""

from __future__ import annotations

from jobs.context import job_context
from webapp.extensions import db
from webapp.tasks import services


def send_task_reminders() -> int:
    """Queue the reminders whose time has come; safe on several workers at once."""
    with job_context():
        queued = services.queue_reminders()
        db.session.commit()
        return queued
