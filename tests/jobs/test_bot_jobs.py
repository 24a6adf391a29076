"""The bot's periodic jobs: the outbox sweep and pruning of old update ids."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.models import ProcessedUpdate
from jobs.bot import deliver_outbox, prune_processed_updates
from tests.fixtures.fake_telegram import bot_overrides
from webapp.database import utcnow
from webapp.extensions import db
from webapp.outbox import queue_message


def test_prune_forgets_only_old_update_ids(app):
    """Does pruning delete update ids older than a week, keep newer ones, and repeat safely?"""
    with app.app_context():
        db.session.add_all(
            [
                ProcessedUpdate(update_id=1, processed_at=utcnow() - timedelta(days=8)),
                ProcessedUpdate(update_id=2, processed_at=utcnow() - timedelta(days=1)),
            ]
        )
        db.session.commit()
        assert prune_processed_updates() == 1
        assert prune_processed_updates() == 0
        assert db.session.scalars(select(ProcessedUpdate.update_id)).all() == [2]


def test_the_sweep_delivers_what_was_left_pending(build, fake_telegram):
    """Does the periodic sweep send messages nobody triggered delivery for, once?"""
    app = build(bot_overrides(fake_telegram, BOT_DELIVERY="off"))
    with app.app_context():
        queue_message(901, "pending")
        db.session.commit()
        assert deliver_outbox() == 1
        assert deliver_outbox() == 0
    assert [p["text"] for p in fake_telegram.messages()] == ["pending"]
