"""The outbox: a message is queued with the change that causes it, once per dedupe key."""

from __future__ import annotations

from webapp.extensions import db
from webapp.outbox import queue_message, queued_for


def test_dedupe_key_queues_once(app):
    """Does a second message with the same dedupe key add nothing?"""
    with app.app_context():
        assert queue_message(1, "hello", dedupe_key="greeting:1") is True
        assert queue_message(1, "hello again", dedupe_key="greeting:1") is False
        assert queue_message(1, "no key") is True
        db.session.commit()
        assert [m.text for m in queued_for(1)] == ["hello", "no key"]


def test_rollback_drops_the_message(app):
    """Does a rolled-back unit of work take its message with it?"""
    with app.app_context():
        queue_message(2, "never", dedupe_key="k")
        db.session.rollback()
        assert queued_for(2) == []
