"""Reviews and complaints: a client rates the executors who took their order (one review per
order and executor), an executor complains about an order they took (one per order).
An executor's average rating is the mean of the reviews about them, computed by the database.

Reading them: the public list (by rating and executor), the caller's own (`mine`: written,
`about_me`: received), what the caller may still do on one order (`review_check`), and an
executor's public profile. Each listed review carries its author and its order's category
and city, read in the same statement as the review.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Result, Select, func, select

from webapp.database import insert_ignoring_conflicts, utcnow
from webapp.errors import Conflict, Forbidden, NotFound, ValidationFailed, field_error
from webapp.extensions import db
from webapp.market.models import ClientReview, ExecutorComplaint, Order, OrderStatus
from webapp.market.services import (
    ExecutorSummary,
    executor_summary,
    get_order,
    takes_seen_by,
    took_order,
)
from webapp.pagination import Page, paginate
from webapp.users.models import User

COMPLAINT_REASONS = ("no_response", "wrong_contact", "job_differs", "fraud", "other")
RECENT_REVIEWS = 5


@dataclass(frozen=True)
class ReviewEntry:
    """A review as lists show it: with its author and its order's category and city."""

    review: ClientReview
    author: User
    category: str
    city: str  # the order's city key (a popular city's key, else its English name)
    city_id: int | None  # its directory id


@dataclass(frozen=True)
class ReviewCheck:
    """What the caller may still do on one order: the executors the client has not reviewed
    yet, and whether an executor who took it may still complain."""

    order_id: str
    may_review: list[ExecutorSummary]
    may_complain: bool


@dataclass(frozen=True)
class ExecutorProfile:
    executor: ExecutorSummary
    recent_reviews: list[ReviewEntry]


@dataclass(frozen=True)
class ExecutorStats:
    completed_orders: int
    average_rating: float | None
    reviews_count: int


def review_executor(
    actor: User, order_id: str, executor_id: int, rating: int, text: str
) -> ClientReview:
    """The order's client rates an executor who took it, once per order and executor."""
    order = get_order(order_id)
    if order.client_id != actor.id:
        raise Forbidden(_l("Only the client who posted this order may review its executors."))
    if not took_order(executor_id, order.id):
        raise ValidationFailed(
            _l("This executor did not take the order."),
            errors=[field_error("executor_id", _l("This executor did not take the order."))],
        )
    statement = insert_ignoring_conflicts(
        ClientReview,
        db.session,
        order_id=order.id,
        client_id=actor.id,
        executor_id=executor_id,
        rating=rating,
        text=text.strip(),
        created_at=utcnow(),
    )
    review_id = db.session.execute(statement.returning(statement.table.c.id)).scalar()
    if review_id is None:
        raise Conflict(_l("You have already reviewed this executor for this order."))
    return db.session.get_one(ClientReview, review_id)


def complain(actor: User, order_id: str, reason: str, text: str) -> ExecutorComplaint:
    """An executor who took the order complains about it, once per order."""
    order = get_order(order_id)
    if not took_order(actor.id, order.id):
        raise Forbidden(_l("Only an executor who took this order may complain about it."))
    statement = insert_ignoring_conflicts(
        ExecutorComplaint,
        db.session,
        order_id=order.id,
        executor_id=actor.id,
        reason=reason,
        text=text.strip(),
        created_at=utcnow(),
    )
    complaint_id = db.session.execute(statement.returning(statement.table.c.id)).scalar()
    if complaint_id is None:
        raise Conflict(_l("You have already complained about this order."))
    return db.session.get_one(ExecutorComplaint, complaint_id)


def _entries_query() -> Select[Any]:
    return (
        select(ClientReview, User, Order.category, Order.city, Order.city_id)
        .join(User, User.id == ClientReview.client_id)
        .join(Order, Order.id == ClientReview.order_id)
    )


def _entries(result: Result[Any]) -> list[ReviewEntry]:
    return [
        ReviewEntry(review=review, author=author, category=category, city=city, city_id=city_id)
        for review, author, category, city, city_id in result.all()
    ]


def review_entry(review_id: int) -> ReviewEntry:
    """One review as lists show it."""
    (entry,) = _entries(db.session.execute(_entries_query().where(ClientReview.id == review_id)))
    return entry


def list_reviews(
    *,
    rating: int | None = None,
    executor_id: int | None = None,
    author_id: int | None = None,
    skip: int = 0,
    limit: int = 20,
) -> Page[ReviewEntry]:
    """Reviews newest first, by rating, by the executor they are about, by their author
    (each filter has its index: `ix_client_reviews_executor`, `ix_client_reviews_client`)."""
    query = _entries_query()
    if rating is not None:
        query = query.where(ClientReview.rating == rating)
    if executor_id is not None:
        query = query.where(ClientReview.executor_id == executor_id)
    if author_id is not None:
        query = query.where(ClientReview.client_id == author_id)
    return paginate(query, [ClientReview.id.desc()], skip=skip, limit=limit, shape=_entries)


def review_check(actor: User, order_id: str) -> ReviewCheck:
    """Whom `actor` may still review or complain about on the order: its client, each
    executor who took it and is not reviewed yet; an executor who took it, the order once.
    Anyone else may do nothing (an empty answer, not a refusal: the order is public)."""
    order = get_order(order_id)
    if order.client_id == actor.id:
        reviewed = set(
            db.session.scalars(
                select(ClientReview.executor_id).where(ClientReview.order_id == order.id)
            )
        )
        executors = [t.executor for t in takes_seen_by(actor, order)]
        return ReviewCheck(
            order_id=order.id,
            may_review=[e for e in executors if e.id not in reviewed],
            may_complain=False,
        )
    complained = db.session.scalar(
        select(ExecutorComplaint.id).where(
            ExecutorComplaint.order_id == order.id, ExecutorComplaint.executor_id == actor.id
        )
    )
    may_complain = complained is None and took_order(actor.id, order.id)
    return ReviewCheck(order_id=order.id, may_review=[], may_complain=may_complain)


def executor_profile(user_id: int) -> ExecutorProfile:
    """An executor's public profile: rating, completed orders, the latest reviews about
    them. Raises 404 (no such user, or deleted)."""
    executor = executor_summary(user_id)
    if executor is None:
        raise NotFound(_l("No such user."))
    recent = list_reviews(executor_id=user_id, limit=RECENT_REVIEWS)
    return ExecutorProfile(executor=executor, recent_reviews=recent.items)


def executor_stats(user_id: int) -> ExecutorStats:
    average, count = db.session.execute(
        select(func.avg(ClientReview.rating), func.count(ClientReview.id)).where(
            ClientReview.executor_id == user_id
        )
    ).one()
    completed = db.session.scalar(
        select(func.count(Order.id)).where(
            Order.completed_executor_id == user_id, Order.status == OrderStatus.COMPLETED
        )
    )
    return ExecutorStats(
        completed_orders=completed or 0,
        average_rating=round(float(average), 2) if average is not None else None,
        reviews_count=count or 0,
    )
