"""JSON routes of the market (SPEC §5 market): parse → service → commit → respond.

Public (no sign-in, never a contact): `GET /api/orders`, `GET /api/orders/<id>` (the contact
only for its client and executors who took it), `GET /api/config`, `GET /api/reviews`.
Everything else needs a signed-in user.

`POST /api/orders/<id>/take` answers 201 with the take (contact included) the first time and
200 with the same body for a repeat (same executor, or the same `Idempotency-Key`); the
client's own order is 403. Stars top-up: `POST /api/balance/stars/invoice {stars}` answers an
invoice link for `Telegram.WebApp.openInvoice`; the bot credits the balance on payment.
"""

from __future__ import annotations

import logging

from flask import current_app, request
from flask.blueprints import BlueprintSetupState
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BaseConverter

from webapp.api import (
    SIGNED_IN,
    Pagination,
    Problem,
    api_blueprint,
    no_content,
    page_of,
    respond,
)
from webapp.auth.identity import current, login_required, optional_user, resolve_user
from webapp.core import choices
from webapp.errors import DomainError, Unauthorized, ValidationFailed, field_error
from webapp.extensions import db
from webapp.market import money, preferences, reviews, services
from webapp.market.config import settings
from webapp.market.models import Order
from webapp.market.schemas import (
    BalanceOut,
    ClientReviewIn,
    ComplaintIn,
    ComplaintOut,
    CompleteIn,
    ConfigOut,
    ExecutorPath,
    ExecutorProfileOut,
    MeOut,
    MineQuery,
    NotificationSettingsIn,
    NotificationSettingsOut,
    OrderIn,
    OrderListQuery,
    OrderOut,
    OrderPage,
    OrderPath,
    OrderUpdate,
    PreferencesIn,
    PreferencesOut,
    RechargeIn,
    ReviewCheckOut,
    ReviewCheckQuery,
    ReviewOut,
    ReviewPage,
    ReviewQuery,
    StarsInvoiceIn,
    StarsInvoiceOut,
    TakeOut,
    TransactionOut,
    TransactionPage,
    config_out,
    executor_profile_out,
    me_out,
    notification_settings_out,
    order_json,
    order_out,
    review_check_out,
    review_out,
    take_out,
    transaction_out,
)
from webapp.market.schemas import (
    money as as_money,
)
from webapp.observability import redact_secrets
from webapp.pagination import Page
from webapp.users.models import User

log = logging.getLogger(__name__)
TAG = "market"
IDEMPOTENCY_HEADER = "Idempotency-Key"

public_bp = api_blueprint(
    "market_public_api", __name__, "/api", tag=TAG, description="Urgent jobs", security=[]
)
orders_bp = api_blueprint("market_orders_api", __name__, "/api/orders", tag=TAG)


class OrderIdConverter(BaseConverter):
    """An order id in a URL, never the word `mine`: `/api/orders/mine` is a route of its own,
    and its 405 must not advertise the PUT and DELETE of an order called "mine"."""

    regex = r"(?!mine\Z)[^/]+"


def _register_order_id(state: BlueprintSetupState) -> None:
    state.app.url_map.converters.setdefault("order_id", OrderIdConverter)


orders_bp.record_once(_register_order_id)
balance_bp = api_blueprint("market_balance_api", __name__, "/api/balance", tag=TAG)
reviews_bp = api_blueprint("market_reviews_api", __name__, "/api/reviews", tag=TAG)
profile_bp = api_blueprint("market_profile_api", __name__, "/api/users/me", tag=TAG)
BLUEPRINTS = (public_bp, orders_bp, balance_bp, reviews_bp, profile_bp)
OPTIONAL_SIGN_IN = [{}, *SIGNED_IN]


class BotUnavailable(DomainError):
    status, code, title = 503, "bot-unavailable", _l("Telegram is not reachable")


def _order_json(view: services.OrderView, status: int = 200):
    """One order's own answer: with the takes its viewer may see (one query)."""
    takes = services.takes_seen_by(resolve_user(), view.order)
    return respond(OrderOut, order_out(view, settings().max_takes, takes), status)


def _orders_page(viewer: User | None, page: Page[Order], query: Pagination):
    """A list of orders as `viewer` sees them (`OrderPage`)."""
    max_takes = settings().max_takes
    views = page.with_items(services.view_orders(viewer, page.items))
    return page_of(OrderOut, views, query, to_json=lambda view: order_json(view, max_takes))


# --- public --------------------------------------------------------------------------------


@public_bp.get("/config", responses={200: ConfigOut})
def market_config():
    """Categories, cities, ticket types, the take price and the order lifetime."""
    return respond(ConfigOut, config_out(settings(), choices.active_keys("ticket_type")))


@public_bp.get("/orders", responses={200: OrderPage}, security=OPTIONAL_SIGN_IN)
@optional_user
def list_orders(query: OrderListQuery):
    """Active orders, newest first (or `sort=ending`), filtered by category, city (id or
    name) and `search` in the description; never with contacts."""
    page = services.list_open_orders(
        category=query.category,
        city_id=services.city_filter(query.city),
        search=query.search,
        sort=query.sort,
        skip=query.skip,
        limit=query.limit,
        after=query.after,
    )
    return _orders_page(None, page, query)


@public_bp.get(
    "/orders/<order_id>", responses={200: OrderOut, 404: Problem}, security=OPTIONAL_SIGN_IN
)
@optional_user
def get_order(path: OrderPath):
    """One order; the contact only for its client and the executors who took it. `takes`
    names who took it (with rating and completed orders): every take for the client, their
    own for an executor, none for anyone else; `responded_at` for the client and executors."""
    return _order_json(services.view_order(resolve_user(), services.get_order(path.order_id)))


@public_bp.get("/reviews", responses={200: ReviewPage}, security=OPTIONAL_SIGN_IN)
@optional_user
def list_reviews(query: ReviewQuery):
    """Clients' reviews of executors, newest first, by rating and executor; `mine=true` the
    ones the caller wrote, `about_me=true` the ones about the caller (both need sign-in).
    Each names its author and its order's category and city."""
    clash = (query.mine and query.about_me) or (query.about_me and query.executor_id)
    if clash:
        raise ValidationFailed(
            _l("Some fields are missing or invalid."),
            errors=[field_error("about_me", _l("Not together with mine or executor_id."))],
        )
    author_id, executor_id = None, query.executor_id
    if query.mine or query.about_me:
        me = resolve_user()
        if me is None:
            raise Unauthorized(_l("Sign in to see your reviews."))
        author_id = me.id if query.mine else None
        executor_id = me.id if query.about_me else executor_id
    page = reviews.list_reviews(
        rating=query.rating,
        executor_id=executor_id,
        author_id=author_id,
        skip=query.skip,
        limit=query.limit,
    )
    return page_of(ReviewOut, page, query, serialize=review_out)


@public_bp.get(
    "/users/<int:user_id>/executor-profile",
    responses={200: ExecutorProfileOut, 404: Problem},
    security=OPTIONAL_SIGN_IN,
)
def executor_profile(path: ExecutorPath):
    """An executor's public profile: name, rating, completed orders, latest reviews."""
    return respond(ExecutorProfileOut, executor_profile_out(reviews.executor_profile(path.user_id)))


# --- orders --------------------------------------------------------------------------------


@orders_bp.post("", responses={201: OrderOut, 422: Problem, 429: Problem})
@login_required
def create_order(body: OrderIn):
    """Post an order (free, at most 10 per hour); it is announced to subscribed executors."""
    order = services.create_order(current(), services.OrderDraft(**body.model_dump()))
    db.session.commit()
    return _order_json(services.view_order(current(), order), 201)


@orders_bp.get("/mine", responses={200: OrderPage})
@login_required
def my_orders(query: MineQuery):
    """The caller's orders as client (`role=client`) or executor (`role=executor`)."""
    me = current()
    page = services.my_orders(me, query.role, skip=query.skip, limit=query.limit)
    return _orders_page(me, page, query)


@orders_bp.put("/<order_id:order_id>", responses={200: OrderOut, 404: Problem, 409: Problem})
@login_required
def update_order(path: OrderPath, body: OrderUpdate):
    """The client edits an active order nobody took; the city cannot change (409)."""
    changes = services.OrderChanges(**body.model_dump(exclude_unset=True))
    order = services.update_order(current(), path.order_id, changes)
    db.session.commit()
    return _order_json(services.view_order(current(), order))


@orders_bp.delete("/<order_id:order_id>", responses={204: None, 404: Problem, 409: Problem})
@login_required
def delete_order(path: OrderPath):
    """The client deletes an active order nobody took."""
    services.delete_order(current(), path.order_id)
    db.session.commit()
    return no_content()


@orders_bp.post(
    "/<order_id>/take",
    responses={201: TakeOut, 200: TakeOut, 402: Problem, 404: Problem, 409: Problem},
)
@login_required
def take_order(path: OrderPath):
    """Pay the take price and get the contact. A repeat (or the same `Idempotency-Key`
    header) answers the first result with 200 and charges nothing."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is not None and not 1 <= len(key.strip()) <= 128:
        raise ValidationFailed(
            _l("Idempotency-Key must be 1 to 128 characters."),
            errors=[field_error(IDEMPOTENCY_HEADER, _l("1 to 128 characters."))],
        )
    result = services.take_order(
        current(), path.order_id, idempotency_key=key.strip() if key else None
    )
    # The answer is read before the commit, which expires every object: read after it, the
    # take and the charge came back in two more SELECTs (a take ran 14 statements, now 12).
    answer = respond(TakeOut, take_out(result), 201 if result.created else 200)
    db.session.commit()
    return answer


@orders_bp.post("/<order_id>/respond", responses={200: OrderOut, 404: Problem, 409: Problem})
@login_required
def respond_to_order(path: OrderPath):
    """The client responds to the executors (within 15 minutes of the first take)."""
    order = services.respond_to_order(current(), path.order_id)
    db.session.commit()
    return _order_json(services.view_order(current(), order))


@orders_bp.post("/<order_id>/complete", responses={200: OrderOut, 404: Problem, 409: Problem})
@login_required
def complete_order(path: OrderPath, body: CompleteIn):
    """The client marks the order done by one of its executors."""
    order = services.complete_order(current(), path.order_id, body.executor_id)
    db.session.commit()
    return _order_json(services.view_order(current(), order))


@orders_bp.post("/<order_id>/close", responses={200: OrderOut, 404: Problem, 409: Problem})
@login_required
def close_order(path: OrderPath):
    """The client closes their order: before any take it is `withdrawn`; after takes it is
    `closed` without refunds (the executors saw the contact) and each executor is told;
    after takes left unanswered past the response window it is `closed_no_response` and
    the executors are refunded."""
    order = services.close_order(current(), path.order_id)
    db.session.commit()
    return _order_json(services.view_order(current(), order))


# --- balance -------------------------------------------------------------------------------


@balance_bp.get("", responses={200: BalanceOut})
@login_required
def get_balance():
    """The caller's balance."""
    return respond(BalanceOut, BalanceOut(balance=as_money(money.balance_of(current().id))))


@balance_bp.get("/transactions", responses={200: TransactionPage})
@login_required
def list_transactions(query: Pagination):
    """The caller's balance history, newest first."""
    page = money.transactions_of(current().id, skip=query.skip, limit=query.limit)
    return page_of(TransactionOut, page, query, serialize=transaction_out)


@balance_bp.post("/recharge", responses={201: TransactionOut, 403: Problem})
@login_required
def recharge(body: RechargeIn):
    """Development only (`DEV_RECHARGE=1`): add kopecks to your own balance."""
    entry = money.dev_recharge(current(), body.amount)
    db.session.commit()
    return respond(TransactionOut, transaction_out(entry), 201)


@balance_bp.post("/stars/invoice", responses={201: StarsInvoiceOut, 503: Problem})
@login_required
def stars_invoice(body: StarsInvoiceIn):
    """An invoice link in Telegram Stars (`XTR`) for `Telegram.WebApp.openInvoice`."""
    bot = current_app.extensions.get("telebot")
    if bot is None:
        raise BotUnavailable(_l("The bot is not configured."))
    invoice = money.stars_invoice(current(), body.stars)
    db.session.commit()  # stored before Telegram hears of it; an unpaid invoice costs nothing
    try:
        link = bot.create_invoice_link(**invoice.link_arguments())
    except Exception as exc:  # any Bot API or network failure: the caller may retry
        # The exception's text names the URL, and the URL holds the token.
        log.warning("createInvoiceLink failed: %s", redact_secrets(str(exc)))
        raise BotUnavailable(_l("Telegram did not create the invoice; try again.")) from exc
    out = StarsInvoiceOut(invoice_link=link, stars=invoice.stars, amount=as_money(invoice.amount))
    return respond(StarsInvoiceOut, out, 201)


# --- reviews -------------------------------------------------------------------------------


@reviews_bp.get("/check", responses={200: ReviewCheckOut, 404: Problem})
@login_required
def review_check(query: ReviewCheckQuery):
    """Whom the caller may still review (the client: executors not reviewed yet) or complain
    about (an executor who took it: the order, once) on one order."""
    return respond(
        ReviewCheckOut, review_check_out(reviews.review_check(current(), query.order_id))
    )


@reviews_bp.post("/client", responses={201: ReviewOut, 404: Problem, 409: Problem})
@login_required
def review_executor(body: ClientReviewIn):
    """The client rates an executor who took the order (one review per order and executor)."""
    review = reviews.review_executor(
        current(), body.order_id, body.executor_id, body.rating, body.text
    )
    db.session.commit()
    return respond(ReviewOut, review_out(reviews.review_entry(review.id)), 201)


@reviews_bp.post("/executor", responses={201: ComplaintOut, 404: Problem, 409: Problem})
@login_required
def complain(body: ComplaintIn):
    """An executor who took the order complains about it (one per order)."""
    complaint = reviews.complain(current(), body.order_id, body.reason, body.text)
    db.session.commit()
    return respond(ComplaintOut, complaint, 201)


# --- subscriptions -------------------------------------------------------------------------


@profile_bp.get("", responses={200: MeOut})
@login_required(allow_banned=True)
def me():
    """The caller's own profile (readable even when banned), with balance, completed
    orders, average rating and market preferences."""
    me = current()
    return respond(MeOut, me_out(me, preferences.market_profile(me)))


@profile_bp.get("/preferences", responses={200: PreferencesOut})
@login_required
def get_preferences():
    """The categories and cities whose new orders you hear about, and how often."""
    return respond(PreferencesOut, preferences.read_preferences(current()))


@profile_bp.put("/preferences", responses={200: PreferencesOut})
@login_required
def set_preferences(body: PreferencesIn):
    """The categories and cities whose new orders you want to hear about."""
    prefs = preferences.set_subscriptions(current(), body.categories, body.cities)
    db.session.commit()
    return respond(PreferencesOut, prefs)


@profile_bp.get("/notification-settings", responses={200: NotificationSettingsOut})
@login_required
def get_notification_settings():
    """How often you hear of new orders (`instant`, an `hourly` or `daily` digest, `off`),
    and the cooldown between two instant announcements (your own, else the deployment's)."""
    prefs = preferences.read_preferences(current())
    return respond(NotificationSettingsOut, notification_settings_out(prefs, settings()))


@profile_bp.put("/notification-settings", responses={200: NotificationSettingsOut})
@login_required
def set_notification_settings(body: NotificationSettingsIn):
    """How often: `instant` (at most one announcement per cooldown), an `hourly` or
    `daily` digest, or `off`. `off` also silences the messages about your orders' takes
    and responses. `instant_cooldown_minutes`: your own cooldown, 5 to 15 (null: the
    deployment's; left out: unchanged)."""
    cooldown = (
        body.instant_cooldown_minutes
        if "instant_cooldown_minutes" in body.model_fields_set
        else preferences.KEEP
    )
    prefs = preferences.set_frequency(current(), body.frequency, cooldown)
    db.session.commit()
    return respond(NotificationSettingsOut, notification_settings_out(prefs, settings()))
