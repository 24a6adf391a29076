"""The bot's jobs: deliver the outbox (started after every commit that queued a message),
and forget old processed updates.

`install_delivery_trigger` (called by the app factory) listens for commits: a session that
queued a message (`webapp.outbox.queue_message`) starts one delivery job after it commits,
coalesced so that a burst of commits starts one run. The sweep in `jobs/schedule.py` picks up
whatever a run leaves (retries, a crashed worker's leased rows).
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any, cast

from flask import Flask, current_app, has_app_context
from sqlalchemy import CursorResult, delete, event
from sqlalchemy.orm import Session

from bot.models import ProcessedUpdate
from bot.sender import deliver
from jobs.context import job_context
from jobs.queue import enqueue
from webapp.database import utcnow
from webapp.extensions import db
from webapp.outbox import take_queued_mark

log = logging.getLogger(__name__)

PROCESSED_UPDATES_KEPT = timedelta(days=7)  # Telegram stops redelivering after a day

_trigger_lock = threading.Lock()
_trigger_installed = False


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


def install_delivery_trigger() -> None:
    """Listen for commits of any session (once per process)."""
    global _trigger_installed
    with _trigger_lock:
        if not _trigger_installed:
            event.listen(Session, "after_commit", _after_commit)
            event.listen(Session, "after_rollback", _after_rollback)
            _trigger_installed = True


def _after_commit(session: Session) -> None:
    if not take_queued_mark(session) or not has_app_context():
        return
    try:
        start_delivery(current_app._get_current_object())  # type: ignore[attr-defined]
    except Exception:  # the caller's change is committed; the sweep will deliver later
        log.exception("could not start outbox delivery")


def _after_rollback(session: Session) -> None:
    take_queued_mark(session)  # the queued rows are gone, and with them the reason to deliver
