"""Demo ticket forms through the ticket services: Anna has submitted a request for the
meetup, Oleg has a half-filled draft.

Idempotent: a person who already has a ticket form gets none.
"""

from __future__ import annotations

from sqlalchemy import select

from webapp.events.models import Event
from webapp.extensions import db
from webapp.tickets import services
from webapp.users.models import User

MEETUP = "Evening meetup: Telegram Mini Apps"


def seed(people: dict[str, User]) -> None:
    event_id = db.session.scalar(select(Event.id).where(Event.title == MEETUP))
    types = services.ticket_types()
    anna, oleg = people["anna_demo"], people["oleg_demo"]
    if services.latest_or_none(anna) is None:
        form = services.create_form(
            anna,
            {
                "name": "Anna Petrova",
                "email": "anna@example.com",
                "phone": "+7 912 345-67-89",
                "ticket_type": types[-1],
                "quantity": 2,
                "dietary_requirements": "Vegetarian",
            },
            event_id=event_id,
            notes="I may come a little late.",
        )
        services.submit(anna, form.id)
    if services.latest_or_none(oleg) is None:
        services.create_form(
            oleg,
            {"name": "Олег Смирнов", "ticket_type": types[0], "quantity": 1},
            event_id=event_id,
        )
