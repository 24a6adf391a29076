"""Demo tasks: a short to-do list for every demo person, through the task services.

Idempotent: a task is created only when its owner has no task with that title.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from webapp.database import utcnow
from webapp.extensions import db
from webapp.tasks import services
from webapp.tasks.models import Priority, Task
from webapp.users.models import User

TASKS = (
    ("Read the event schedule", "Pick the talks worth going to.", Priority.NORMAL, 2, False),
    ("Buy a ticket for the meetup", "", Priority.HIGH, 1, False),
    ("Solve three problems a day", "Start with the recommended ones.", Priority.LOW, None, False),
    ("Set up the Mini App", "Open it from the bot menu.", Priority.NORMAL, None, True),
)


def seed(people: dict[str, User]) -> None:
    now = utcnow()
    for user in people.values():
        titles = set(db.session.scalars(select(Task.title).where(Task.owner_id == user.id)))
        for title, description, priority, due_days, done in TASKS:
            if title in titles:
                continue
            task = services.create_task(
                user,
                {
                    "title": title,
                    "description": description,
                    "priority": priority,
                    "due_at": now + timedelta(days=due_days) if due_days else None,
                },
            )
            if done:
                services.set_done(user, task.id, True)
