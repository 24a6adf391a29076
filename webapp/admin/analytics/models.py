"""Indexes for the analytics queries, on the features' tables.

Each chart counts rows per day over a time range (`WHERE t >= :start GROUP BY day(t)`); an
index leading with that time column makes it a range scan of the days shown instead of a
scan of the whole table, however many rows the table has. They are declared here, with the
queries that need them (the features' own indexes serve their lists, which filter by owner
or status first); `webapp/models.py` imports this module so the metadata has them.
"""

from __future__ import annotations

from sqlalchemy import Index

from webapp.events.models import Participant
from webapp.market.models import BalanceTransaction, Order, Take
from webapp.problems.models import Attempt
from webapp.tasks.models import Task
from webapp.users.models import User

ANALYTICS_INDEXES = (
    Index("ix_analytics_users_created", User.__table__.c.created_at),
    Index("ix_analytics_tasks_created", Task.__table__.c.created_at),
    Index("ix_analytics_tasks_done", Task.__table__.c.done_at),
    Index("ix_analytics_participants_joined", Participant.__table__.c.joined_at),
    Index(
        "ix_analytics_attempts_created",
        Attempt.__table__.c.created_at,
        Attempt.__table__.c.is_correct,
    ),
    Index("ix_analytics_orders_created", Order.__table__.c.created_at),
    Index("ix_analytics_takes_taken", Take.__table__.c.taken_at),
    Index(
        "ix_analytics_transactions_type_created",
        BalanceTransaction.__table__.c.type,
        BalanceTransaction.__table__.c.created_at,
    ),
)
