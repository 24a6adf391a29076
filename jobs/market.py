"""Market jobs: thin wrappers that run one service in a fresh app context and commit.

All are idempotent and safe on several workers at once (see `webapp/market/services/sweeps.py`).
"""

from __future__ import annotations

from jobs.context import job_context
from webapp.extensions import db
from webapp.market import notifications, services
from webapp.market.models import Frequency


def expire_overdue_orders() -> int:
    """Active orders past `expires_at` (untaken, or answered) become `expired`."""
    with job_context():
        count = services.expire_overdue_orders()
        db.session.commit()
        return count


def close_unanswered_orders() -> int:
    """Taken orders without the client's response in time close; every take is refunded."""
    with job_context():
        closed = services.close_unanswered_orders()
        db.session.commit()
        return len(closed)


def send_hourly_digests() -> int:
    with job_context():
        count = notifications.send_digests(Frequency.HOURLY)
        db.session.commit()
        return count


def send_daily_digests() -> int:
    with job_context():
        count = notifications.send_digests(Frequency.DAILY)
        db.session.commit()
        return count
