"""Periodic work, seen from the web side: the last successful run of each periodic job.

Every periodic run (an RQ worker's, or the embedded timer's) records its success here, in the
database, so the record outlives a Redis restart and is the same for every process. `/health`
compares it with each job's period: a job more than three periods late means the schedule
stopped, and the health check answers 503 so someone (or something) notices.

The schedule itself lives in `jobs/schedule.py`; `jobs` hands it to the app as
`app.extensions["hub_periodic_jobs"]` (a core module never imports `jobs`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from webapp.database import UTCDateTime, insert_ignoring_conflicts, utcnow
from webapp.extensions import Model, db

OVERDUE_PERIODS = 3


class PeriodicRun(Model):
    """The last time a periodic job finished without an error."""

    __tablename__ = "periodic_runs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_success_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


def record_success(name: str) -> None:
    """Remember that `name` just ran successfully (the caller commits)."""
    now = utcnow()
    db.session.execute(
        insert_ignoring_conflicts(PeriodicRun, db.session, name=name, last_success_at=now)
    )
    db.session.execute(
        update(PeriodicRun).where(PeriodicRun.name == name).values(last_success_at=now)
    )


@dataclass(frozen=True)
class JobHealth:
    name: str
    every: timedelta
    last_success_at: datetime | None
    overdue: bool

    def as_json(self) -> dict[str, object]:
        return {
            "every_seconds": int(self.every.total_seconds()),
            "last_success": self.last_success_at.isoformat() if self.last_success_at else None,
            "overdue": self.overdue,
        }


def periodic_health(
    jobs: list[tuple[str, timedelta]], *, since: datetime, now: datetime | None = None
) -> list[JobHealth]:
    """Each job's last success and whether it is more than `OVERDUE_PERIODS` periods late.

    A job that never ran counts from `since` (when this process started), so a fresh
    deployment is not reported late before its jobs had a chance to run.
    """
    now = now or utcnow()
    last: dict[str, datetime] = dict(
        db.session.execute(select(PeriodicRun.name, PeriodicRun.last_success_at)).tuples().all()
    )
    report = []
    for name, every in jobs:
        reference = last.get(name, since)
        report.append(
            JobHealth(name, every, last.get(name), now - reference > every * OVERDUE_PERIODS)
        )
    return report
