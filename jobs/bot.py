"""The bot's jobs: deliver the outbox, and forget old processed updates."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from bot.models import ProcessedUpdate
from jobs.context import job_context
from webapp.database import utcnow
from webapp.extensions import db

PROCESSED_UPDATES_KEPT = timedelta(days=7)  # Telegram stops redelivering after a day


def deliver_outbox() -> int:
    """Send every due outbox message under the rate limits; return how many were sent.
    Safe on any number of workers at once (rows are leased with SKIP LOCKED)."""
    from bot.sender import deliver

    with job_context() as app:
        return deliver(app)


def prune_processed_updates() -> int:
    """Delete update ids older than a week (a set-based, repeatable statement)."""
    with job_context():
        result = db.session.execute(
            delete(ProcessedUpdate).where(
                ProcessedUpdate.processed_at < utcnow() - PROCESSED_UPDATES_KEPT
            )
        )
        db.session.commit()
        return int(result.rowcount or 0)
