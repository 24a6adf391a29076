"""Market: orders (with an admin's force-close and refunds), balance transactions, client
reviews and executor complaints.

A force-close is `webapp.market.services.force_close_order` (admins only, active orders
only; every take is refunded through the no-response job's own mechanism and the
executors are told in chat) inside `audited_change`, with a required reason that the
audit entry keeps. Transactions, reviews and complaints are read-only: the ledger only
changes through the market's money functions.
"""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, url_for
from flask_admin import Admin, expose
from flask_admin.model.template import EndpointLinkRowAction
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.admin.access import SecureModelView
from webapp.admin.audit import snapshot
from webapp.admin.changes import audited_change
from webapp.admin.choices import ChoiceView
from webapp.admin.filters import ChoiceEqual
from webapp.admin.forms import ReasonForm, flash_form_errors
from webapp.admin.models import AuditEntry
from webapp.admin.people import PeopleMixin, person, person_column
from webapp.extensions import db
from webapp.i18n import choice_name
from webapp.market import services as market
from webapp.market.cities import city_label
from webapp.market.models import (
    BalanceTransaction,
    ClientReview,
    ExecutorComplaint,
    Order,
    OrderStatus,
    Take,
)
from webapp.market.money import format_rubles
from webapp.market.views import COMPLAINT_LABELS

PREVIEW = 80


def _preview(text: str | None) -> str:
    text = text or ""
    return text if len(text) <= PREVIEW else text[: PREVIEW - 1] + "…"


def _takes(order_id: str) -> list[Take]:
    return list(
        db.session.scalars(
            select(Take).where(Take.order_id == order_id).order_by(Take.taken_at, Take.id)
        )
    )


def describe(order: Order, reason: str | None = None) -> dict[str, Any]:
    """Status, closing time and each take's refund: the before/after of a force-close
    (the after also keeps the admin's reason)."""
    takes = _takes(order.id)
    state = snapshot(order, ("status", "closed_at", "takes_count"))
    state["takes_refunded"] = sum(1 for take in takes if take.refunded_at is not None)
    state["takes"] = [
        {"id": t.id, "executor_id": t.executor_id, "price": t.price, "refunded": t.refunded_at}
        for t in takes
    ]
    if reason is not None:
        state["reason"] = reason
    return state


class OrderView(PeopleMixin, SecureModelView):
    people_columns = ("client_id",)
    column_list = (
        "id",
        "client_id",
        "category",
        "city",
        "status",
        "takes_count",
        "created_at",
        "expires_at",
    )
    column_searchable_list = ("id", "description")
    column_filters = (
        "status",
        ChoiceEqual(Order.category, _l("Category"), "category"),
        "city",
        "created_at",
    )
    column_sortable_list = ("id", "category", "city", "status", "takes_count", "created_at")
    column_default_sort = ("created_at", True)
    column_labels = {
        "client": _l("Client"),
        "city_id": _l("City"),
        "search_text": _l("Search text"),
        "contact": _l("Contact"),
        "contact_key": _l("Contact key"),
        "first_taken_at": _l("First taken"),
        "responded_at": _l("Responded"),
        "closed_at": _l("Closed"),
        "id": _l("Order"),
        "client_id": _l("Client"),
        "category": _l("Category"),
        "city": _l("City"),
        "status": _l("Status"),
        "takes_count": _l("Takes"),
        "description": _l("Description"),
        "created_at": _l("Created"),
        "expires_at": _l("Expires"),
    }
    column_formatters = {
        "client_id": person_column,
        "client": lambda _v, _c, order, _n: person(order.client_id),
        "category": lambda _v, _c, order, _n: choice_name("category", order.category),
        "city": lambda _v, _c, order, _n: city_label(order.city_id, order.city),
    }
    column_extra_row_actions = [
        EndpointLinkRowAction("fa fa-gavel", ".manage", title=_l("Manage"), id_arg="order_id")
    ]

    @expose("/<order_id>/manage")
    def manage(self, order_id: str) -> Any:
        """One order: its takes with their refunds, the force-close form, its history."""
        order = db.session.get(Order, order_id)
        if order is None:
            abort(404)
        history = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target_type == Order.__tablename__)
            .where(AuditEntry.target_id == order.id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(50)
        ).all()
        takes = [
            (take, person(take.executor_id), format_rubles(take.price)) for take in _takes(order.id)
        ]
        return self.render(
            "admin/hub/market_order.html",
            order=order,
            client=person(order.client_id),
            order_city_name=city_label(order.city_id, order.city),
            takes=takes,
            reason_form=ReasonForm(),
            history=history,
            active=OrderStatus.ACTIVE,
        )

    @expose("/<order_id>/force-close", methods=["POST"])
    def force_close(self, order_id: str) -> Any:
        form = ReasonForm()
        if form.validate_on_submit():
            reason = form.reason.data or ""  # required by the form
            audited_change(
                "order.force_close",
                load=lambda: db.session.get(Order, order_id),
                change=lambda actor: market.force_close_order(actor, order_id, reason),
                describe=lambda order: describe(
                    order, None if order.status == OrderStatus.ACTIVE else reason
                ),
                done=_("Order closed; every take refunded."),
            )
        else:
            flash_form_errors(form)
        return redirect(url_for(".manage", order_id=order_id))


class TransactionView(PeopleMixin, SecureModelView):
    """The ledger, read-only: a balance is the sum of its user's rows."""

    people_columns = ("user_id",)
    can_view_details = False
    column_list = ("id", "user_id", "type", "amount", "balance_after", "reference", "created_at")
    column_filters = ("type", "user_id", "created_at")
    column_sortable_list = ("id", "type", "amount", "created_at")
    column_default_sort = ("id", True)
    column_labels = {
        "user_id": _l("User"),
        "type": _l("Type"),
        "amount": _l("Amount"),
        "balance_after": _l("Balance after"),
        "reference": _l("Reference"),
        "created_at": _l("Created"),
    }
    column_formatters = {
        "user_id": person_column,
        "amount": lambda _v, _c, row, _n: format_rubles(row.amount, signed=True),
        "balance_after": lambda _v, _c, row, _n: format_rubles(row.balance_after),
    }


class ClientReviewView(PeopleMixin, SecureModelView):
    people_columns = ("client_id", "executor_id")
    column_list = ("id", "order_id", "client_id", "executor_id", "rating", "text", "created_at")
    column_filters = ("rating", "executor_id", "created_at")
    column_sortable_list = ("id", "rating", "created_at")
    column_default_sort = ("id", True)
    column_labels = {
        "order_id": _l("Order"),
        "client_id": _l("Client"),
        "executor_id": _l("Executor"),
        "rating": _l("Rating"),
        "text": _l("Text"),
        "created_at": _l("Created"),
    }
    column_formatters = {
        "client_id": person_column,
        "executor_id": person_column,
        "text": lambda _v, _c, row, _n: _preview(row.text),
    }


class ExecutorComplaintView(PeopleMixin, SecureModelView):
    people_columns = ("executor_id",)
    column_list = ("id", "order_id", "executor_id", "reason", "text", "created_at")
    column_filters = ("reason", "executor_id", "created_at")
    column_sortable_list = ("id", "reason", "created_at")
    column_default_sort = ("id", True)
    column_labels = {
        "order_id": _l("Order"),
        "executor_id": _l("Executor"),
        "reason": _l("Reason"),
        "text": _l("Text"),
        "created_at": _l("Created"),
    }
    column_formatters = {
        "executor_id": person_column,
        "text": lambda _v, _c, row, _n: _preview(row.text),
        "reason": lambda _v, _c, row, _n: str(COMPLAINT_LABELS.get(row.reason, row.reason)),
    }


def register(admin: Admin) -> None:
    category = _l("Urgent jobs")
    admin.add_view(
        ChoiceView(
            "category",
            name=_l("Order categories"),
            endpoint="market_categories",
            url="market/categories",
            category=category,
        )
    )
    admin.add_view(
        OrderView(
            Order,
            db,
            name=_l("Orders"),
            endpoint="market_orders",
            url="market/orders",
            category=category,
        )
    )
    admin.add_view(
        TransactionView(
            BalanceTransaction,
            db,
            name=_l("Balance transactions"),
            endpoint="market_transactions",
            url="market/transactions",
            category=category,
        )
    )
    admin.add_view(
        ClientReviewView(
            ClientReview,
            db,
            name=_l("Client reviews"),
            endpoint="market_reviews",
            url="market/reviews",
            category=category,
        )
    )
    admin.add_view(
        ExecutorComplaintView(
            ExecutorComplaint,
            db,
            name=_l("Executor complaints"),
            endpoint="market_complaints",
            url="market/complaints",
            category=category,
        )
    )
