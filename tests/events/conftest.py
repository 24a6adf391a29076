"""Builders for event tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from webapp.database import utcnow
from webapp.events.models import Event, Participant
from webapp.events.sports import seed_sports
from webapp.extensions import db


@pytest.fixture
def make_event(app: Flask, teacher) -> Callable[..., int]:
    """`make_event(**fields)` stores an event (by `teacher` unless `creator`) → its id."""

    def make(creator=None, participants=(), **fields: Any) -> int:
        fields.setdefault("title", "Meetup")
        fields.setdefault("starts_at", utcnow() + timedelta(days=3))
        with app.app_context():
            event = Event(creator_id=(creator or teacher).id, participants_count=0, **fields)
            db.session.add(event)
            db.session.flush()
            for user in participants:
                joined_at = fields.get("starts_at") - timedelta(days=7)
                db.session.add(Participant(event_id=event.id, user_id=user.id, joined_at=joined_at))
            event.participants_count = len(participants)
            db.session.commit()
            return event.id

    return make


@pytest.fixture(autouse=True)
def sports(app: Flask) -> None:
    """The sports catalogue, as the migration seeds it (tests build tables with create_all)."""
    with app.app_context():
        seed_sports()
        db.session.commit()
