"""Demo events: a meetup tomorrow-ish (inside the 24 h reminder window), a workshop next
week with a small capacity, and a conference next month, with people joined through the
event services.

Idempotent: an event is created only when none with its title exists, and joining twice
is a no-op in the services themselves.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from webapp.database import utcnow
from webapp.events import services
from webapp.events.models import Event
from webapp.events.sports import seed_sports
from webapp.extensions import db
from webapp.users.models import User

EVENTS: tuple[dict[str, Any], ...] = (
    {
        "title": "Evening meetup: Telegram Mini Apps",
        "description": "Short talks and pizza. Bring a laptop if you want to try things.",
        "starts_in": timedelta(hours=20),
        "location": "Room 204, main building",
        "capacity": 30,
        "creator": "boris_demo",
        "joiners": ("anna_demo", "oleg_demo", "mira_demo"),
    },
    {
        "title": "Olympiad maths workshop",
        "description": "Two hours of problems from the catalogue, solved together.",
        "starts_in": timedelta(days=6, hours=3),
        "location": "Library, 2nd floor",
        "capacity": 4,
        "creator": "boris_demo",
        "joiners": ("anna_demo", "oleg_demo"),
    },
    {
        "title": "Spring conference",
        "description": "A full day of talks, workshops and a career fair.",
        "starts_in": timedelta(days=30),
        "location": "Assembly hall",
        "capacity": None,
        "creator": "mira_demo",
        "joiners": ("anna_demo",),
    },
)


def seed(people: dict[str, User]) -> None:
    seed_sports()  # a demo database made by create_all has no migration to seed them
    now = utcnow()
    existing = set(db.session.scalars(select(Event.title)))
    for spec in EVENTS:
        if spec["title"] in existing:
            continue
        view = services.create_event(
            people[spec["creator"]],
            {
                "title": spec["title"],
                "description": spec["description"],
                "starts_at": (now + spec["starts_in"]).replace(minute=0, second=0, microsecond=0),
                "location": spec["location"],
                "capacity": spec["capacity"],
            },
        )
        for username in spec["joiners"]:
            services.join_event(people[username], view.event.id)
