"""Who took an order, as its client and its executors may see them: each executor's name,
username, rating and completed orders, read in one statement (no query per executor).

Visibility: the order's client sees every take; an executor who took it sees only their own
take; anyone else sees none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.market.models import ClientReview, Order, OrderStatus, Take
from webapp.users.models import User


@dataclass(frozen=True)
class ExecutorSummary:
    """An executor as others see them in the market."""

    user: User
    rating: float | None  # the mean of the clients' reviews, None before the first
    reviews_count: int
    completed_orders: int

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def name(self) -> str:
        return self.user.display_name

    @property
    def username(self) -> str | None:
        return self.user.username

    @property
    def telegram_id(self) -> int | None:
        return self.user.telegram_id


@dataclass(frozen=True)
class TakeSummary:
    executor: ExecutorSummary
    taken_at: datetime


def _stats_columns() -> tuple[ColumnElement[Any], ColumnElement[Any], ColumnElement[Any]]:
    """Correlated to `User`: the average rating, the number of reviews and of completed
    orders, computed by the database inside the one statement that reads the users."""
    completed_order = aliased(Order)
    rating = (
        select(func.avg(ClientReview.rating))
        .where(ClientReview.executor_id == User.id)
        .correlate(User)
        .scalar_subquery()
    )
    reviews = (
        select(func.count(ClientReview.id))
        .where(ClientReview.executor_id == User.id)
        .correlate(User)
        .scalar_subquery()
    )
    completed = (
        select(func.count(completed_order.id))
        .where(
            completed_order.completed_executor_id == User.id,
            completed_order.status == OrderStatus.COMPLETED,
        )
        .correlate(User)
        .scalar_subquery()
    )
    return rating, reviews, completed


def _summary(user: User, rating: Any, reviews: Any, completed: Any) -> ExecutorSummary:
    return ExecutorSummary(
        user=user,
        rating=round(float(rating), 2) if rating is not None else None,
        reviews_count=int(reviews or 0),
        completed_orders=int(completed or 0),
    )


def _takes_query(order_id: str) -> Select[Any]:
    return (
        select(Take.taken_at, User, *_stats_columns())
        .join(User, User.id == Take.executor_id)
        .where(Take.order_id == order_id)
        .order_by(Take.taken_at, Take.id)
    )


def takes_seen_by(viewer: User | None, order: Order) -> list[TakeSummary]:
    """The takes of `order` this viewer may see, first taker first (one query): all of them
    for its client, their own for an executor who took it, none for anyone else."""
    if viewer is None:
        return []
    query = _takes_query(order.id)
    if viewer.id != order.client_id:
        query = query.where(Take.executor_id == viewer.id)
    return [
        TakeSummary(executor=_summary(user, *stats), taken_at=taken_at)
        for taken_at, user, *stats in db.session.execute(query)
    ]


def executor_summary(user_id: int) -> ExecutorSummary | None:
    """One user as an executor (None when there is no such live user)."""
    row = db.session.execute(
        select(User, *_stats_columns()).where(User.id == user_id, User.deleted_at.is_(None))
    ).first()
    if row is None:
        return None
    user, *stats = row
    return _summary(user, *stats)
