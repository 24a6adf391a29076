"""Reviews and complaints: a client rates the executors who took their order (one review per
order and executor), an executor complains about an order they took (one per order).
An executor's average rating is the mean of the reviews about them, computed by the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from webapp.database import insert_ignoring_conflicts, utcnow
from webapp.errors import Conflict, Forbidden, ValidationFailed, field_error
from webapp.extensions import db
from webapp.market.models import ClientReview, ExecutorComplaint, Order, OrderStatus
from webapp.market.services import get_order, took_order
from webapp.pagination import Page, paginate
from webapp.users.models import User

COMPLAINT_REASONS = ("no_response", "wrong_contact", "job_differs", "fraud", "other")


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


def list_reviews(
    *, rating: int | None, executor_id: int | None, skip: int, limit: int
) -> Page[ClientReview]:
    query = select(ClientReview)
    if rating is not None:
        query = query.where(ClientReview.rating == rating)
    if executor_id is not None:
        query = query.where(ClientReview.executor_id == executor_id)
    return paginate(query, [ClientReview.id.desc()], skip=skip, limit=limit)


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
