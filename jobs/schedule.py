"""Periodic jobs: what runs, and how often. RQ's scheduler runs them in production; the
embedded mode runs the same list on a timer thread.

A feature adds its entries here; the job functions live in `jobs/<feature>.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    func: str  # dotted path, e.g. "jobs.market.expire_overdue_orders"
    every: timedelta


PERIODIC_JOBS: list[PeriodicJob] = [
    PeriodicJob("event-reminders", "jobs.events.send_event_reminders", every=timedelta(minutes=5)),
    PeriodicJob("task-reminders", "jobs.tasks.send_task_reminders", every=timedelta(minutes=1)),
    PeriodicJob("bot.deliver_outbox", "jobs.bot.deliver_outbox", every=timedelta(seconds=30)),
    PeriodicJob("bot.prune_updates", "jobs.bot.prune_processed_updates", every=timedelta(hours=6)),
    PeriodicJob("market-expiry", "jobs.market.expire_overdue_orders", every=timedelta(minutes=1)),
    PeriodicJob(
        "market-no-response", "jobs.market.close_unanswered_orders", every=timedelta(minutes=1)
    ),
    PeriodicJob(
        "market-digest-hourly", "jobs.market.send_hourly_digests", every=timedelta(hours=1)
    ),
    PeriodicJob("market-digest-daily", "jobs.market.send_daily_digests", every=timedelta(days=1)),
    PeriodicJob(
        "broadcasts-prepare", "jobs.broadcasts.prepare_broadcasts", every=timedelta(minutes=1)
    ),
]
