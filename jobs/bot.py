"""The bot's jobs: deliver the outbox (started after every commit that queued a message),
and forget old processed updates.

`install_delivery_trigger` (called by the app factory) listens for commits (`jobs.triggers`):
a session that queued a message (`webapp.outbox.queue_message`) starts one delivery job after
it commits, coalesced so that a burst of commits starts one run. The sweep in
`jobs/schedule.py` picks up whatever a run leaves (retries, a crashed worker's leased rows).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from flask import Flask, current_app
from sqlalchemy import CursorResult, delete

from bot.models import ProcessedUpdate
from bot.sender import deliver
from jobs.context import job_context
from jobs.queue import enqueue
from jobs.triggers import CommitTrigger
from webapp.database import utcnow
from webapp.extensions import db
from webapp.outbox import take_queued_mark

PROCESSED_UPDATES_KEPT = timedelta(days=7)  # Telegram stops redelivering after a day


def deliver_outbox() -> int:
    """Send every due outbox message under the rate limits; return how many were sent.
    Safe on any number of workers at once (rows are leased with SKIP LOCKED)."""
    with job_context() as app:
        return deliver(app, hand_over=start_delivery)


def prune_processed_updates() -> int:
    """Delete update ids older than a week (a set-based, repeatable statement)."""
    with job_context():
        result = db.session.execute(
            delete(ProcessedUpdate).where(
                ProcessedUpdate.processed_at < utcnow() - PROCESSED_UPDATES_KEPT
            )
        )
        db.session.commit()
        return int(cast("CursorResult[Any]", result).rowcount or 0)  # a DELETE has a count


def start_delivery(app: Flask) -> None:
    """Start (or coalesce into) one delivery job, unless delivery is off or the bot is."""
    if app.config.get("BOT_DELIVERY") == "off" or not app.config.get("TELEGRAM_BOT_TOKEN"):
        return
    enqueue("jobs.bot.deliver_outbox", coalesce="bot-deliver-outbox", timeout=300)


# Called by the app factory.
install_delivery_trigger = CommitTrigger(
    "outbox delivery",
    take_queued_mark,
    lambda: start_delivery(current_app._get_current_object()),  # type: ignore[attr-defined]
).install
