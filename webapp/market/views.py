"""Market pages (HTMX): the feed, one order, the new-order form, my orders, my reviews and
`/me`.

Every page works as a full page and as an HTMX fragment (`{% extends layout %}`); the parts
that change in place are partials in `templates/market/partials/`, rendered by the page and
by the small routes below. The rules are the same services the JSON API calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from webapp import htmx
from webapp.auth.identity import current, login_required, optional_user, resolve_user
from webapp.errors import DomainError, ValidationFailed
from webapp.extensions import db
from webapp.forms import errors_by_field, validate_form
from webapp.market import money, preferences, reviews, services
from webapp.market.cities import city_label, popular_cities, resolve_city
from webapp.market.config import COOLDOWN_MINUTES, settings
from webapp.market.models import Frequency, OrderStatus, TransactionType
from webapp.market.schemas import (
    ClientReviewIn,
    ComplaintIn,
    NotificationSettingsIn,
    OrderIn,
    RechargeIn,
)
from webapp.users import services as users
from webapp.users.pages import community_context

bp = Blueprint("market_pages", __name__)
PAGE_SIZE = 20
STATUS_LABELS = {
    OrderStatus.ACTIVE: _l("Active"),
    OrderStatus.EXPIRED: _l("Expired"),
    OrderStatus.DELETED: _l("Deleted"),
    OrderStatus.CLOSED_NO_RESPONSE: _l("Closed: no response"),
    OrderStatus.COMPLETED: _l("Completed"),
    OrderStatus.WITHDRAWN: _l("Withdrawn by the client"),
    OrderStatus.CLOSED: _l("Closed by the client"),
}
TRANSACTION_LABELS = {
    TransactionType.RECHARGE: _l("Recharge"),
    TransactionType.STARS_TOPUP: _l("Stars top-up"),
    TransactionType.ORDER_TAKE: _l("Order taken"),
    TransactionType.REFUND: _l("Refund"),
}
COMPLAINT_LABELS = {
    "no_response": _l("The client does not answer"),
    "wrong_contact": _l("The contact is wrong"),
    "job_differs": _l("The job is not as described"),
    "fraud": _l("Fraud"),
    "other": _l("Something else"),
}
FREQUENCY_LABELS = {
    Frequency.INSTANT: _l("At once"),
    Frequency.HOURLY: _l("Hourly digest"),
    Frequency.DAILY: _l("Daily digest"),
    Frequency.OFF: _l("Off"),
}


def _cooldown_choices() -> list[tuple[int, str]]:
    """(minutes, "N minutes") for each instant cooldown a user may choose (5 to 15)."""
    least, most = COOLDOWN_MINUTES
    choices = range(least, most + 1)
    return [(num, ngettext("%(num)d minute", "%(num)d minutes", num)) for num in choices]


@bp.context_processor
def market_helpers() -> dict[str, Any]:
    """Labels and formats the market templates share."""
    config = settings()
    return {
        "rubles": money.format_rubles,
        "status_label": lambda status: STATUS_LABELS[OrderStatus(status)],
        "transaction_label": lambda kind: TRANSACTION_LABELS[TransactionType(kind)],
        "frequency_label": lambda item: FREQUENCY_LABELS[Frequency(item)],
        "complaint_reasons": COMPLAINT_LABELS,
        "cooldown_choices": _cooldown_choices,
        "max_takes": config.max_takes,
        "order_ttl_minutes": config.order_ttl_minutes,
    }


def _page(
    template: str,
    status: int = 200,
    *,
    toast: Any = None,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Response:
    return htmx.answer(render_template(template, **context), status, toast=toast, headers=headers)


def _skip() -> int:
    raw = request.args.get("skip", "0")
    return int(raw) if raw.isdigit() else 0


@bp.app_template_global("order_city")
def order_city(order: Any) -> str:
    """An order's city in the reader's language (a page's `order_city(view.order)`)."""
    return city_label(order.city_id, order.city)


# --- the feed ------------------------------------------------------------------------------


def _feed_context() -> dict[str, Any]:
    config = settings()
    category = request.args.get("category") or None
    category = category if category in config.categories else None
    wanted = (request.args.get("city") or "")[:64]
    found = resolve_city(wanted) if wanted.strip() else None  # unknown: no filter
    city = found.id if found is not None else None
    skip = _skip()
    after = request.args.get("after") or None
    search = (request.args.get("search") or "").strip()[:100] or None
    sort = "ending" if request.args.get("sort") == "ending" else None  # None: newest first
    page = services.list_open_orders(
        category=category,
        city_id=city,
        search=search,
        sort=sort or "newest",
        skip=skip,
        limit=PAGE_SIZE,
        after=after,
    )
    return {
        "config": config,
        "category": category,
        "city": city,
        "search": search,
        "sort": sort,
        "city_name": city_label(city, "") if city is not None else None,
        "popular_cities": popular_cities(),
        "orders": services.view_orders(None, page.items),
        "total": page.total_text,
        "skip": skip,
        "after": after,
        "next": page.next,
    }


@bp.get("/orders")
@optional_user
def feed_page():
    """Active orders with category and city chips; the list refreshes itself."""
    return _page("market/feed.html", **_feed_context())


@bp.get("/orders/feed")
@optional_user
def feed_list():
    """The feed list alone (the 30-second refresh and paging)."""
    return _page("market/partials/_feed_list.html", **_feed_context())


# --- one order -----------------------------------------------------------------------------


def _panel(
    order_id: str,
    status: int = 200,
    error: str | None = None,
    *,
    toast: Any = None,
    errors: dict[str, str] | None = None,
    review_for: int | None = None,
) -> Response:
    viewer = resolve_user()
    view = services.view_order(viewer, services.get_order(order_id))
    return _page(
        "market/partials/_order_panel.html",
        status,
        toast=toast,
        view=view,
        viewer=viewer,
        error=error,
        errors=errors or {},
        review_for=review_for,
        price=settings().take_price,
        **_people(viewer, view),
    )


def _people(viewer: Any, view: services.OrderView) -> dict[str, Any]:
    """Who took the order (the client's list, one query; nobody else's page lists it), and
    what the viewer may still do about them (`reviews.review_check`): the executors the
    client has not reviewed yet, whether an executor may still complain."""
    takes = services.takes_seen_by(viewer, view.order) if view.is_mine else []
    check = None
    if viewer is not None and (view.is_mine or view.taken_by_me):
        check = reviews.review_check(viewer, view.order.id)
    return {
        "takes": takes,
        "reviewable": {e.id for e in check.may_review} if check else set(),
        "may_complain": bool(check and check.may_complain),
    }


@bp.get("/orders/<order_id>")
@optional_user
def order_page(order_id: str):
    """One order. Signed-out full loads fetch the action panel again with initData."""
    viewer = resolve_user()
    view = services.view_order(viewer, services.get_order(order_id))
    return _page(
        "market/order.html",
        view=view,
        viewer=viewer,
        reload_panel=viewer is None,
        error=None,
        price=settings().take_price,
        **_people(viewer, view),
    )


@bp.get("/orders/<order_id>/panel")
@optional_user
def order_panel(order_id: str):
    return _panel(order_id)


def _act(
    order_id: str, action: Callable[[], object], done: str, review_for: int | None = None
) -> Response:
    """Run a service on the order, commit, answer the refreshed panel (or the refusal)."""
    try:
        action()
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 404:
            raise
        errors = errors_by_field(exc.errors or [])
        message = None if errors else str(exc.detail or exc.title)
        return _panel(order_id, exc.status, message, errors=errors, review_for=review_for)
    return _panel(order_id, toast=done)


@bp.post("/orders/<order_id>/take")
@login_required
def take_order(order_id: str):
    """Take the order (Telegram's MainButton confirms it); the contact appears."""
    key = request.headers.get("Idempotency-Key") or request.form.get("idempotency_key") or None
    return _act(
        order_id,
        lambda: services.take_order(current(), order_id, idempotency_key=key),
        _("Taken: the contact is shown."),
    )


@bp.post("/orders/<order_id>/respond")
@login_required
def respond_to_order(order_id: str):
    return _act(
        order_id, lambda: services.respond_to_order(current(), order_id), _("Response sent.")
    )


@bp.post("/orders/<order_id>/complete")
@login_required
def complete_order(order_id: str):
    executor = request.form.get("executor_id", "")
    return _act(
        order_id,
        lambda: services.complete_order(
            current(), order_id, int(executor) if executor.isdigit() else 0
        ),
        _("The order is completed."),
    )


@bp.post("/orders/<order_id>/review")
@login_required
def review_executor(order_id: str):
    """The client rates an executor who took the order (the API's checks, the API's
    field errors, shown under that executor's form)."""
    fields = {name: request.form.get(name, "") for name in ("executor_id", "rating", "text")}
    data, errors = validate_form(ClientReviewIn, {"order_id": order_id, **fields})
    executor = fields["executor_id"]
    review_for = int(executor) if executor.isdigit() else None
    if data is None:
        return _panel(order_id, 422, errors=errors, review_for=review_for)
    return _act(
        order_id,
        lambda: reviews.review_executor(
            current(), order_id, data.executor_id, data.rating, data.text
        ),
        _("Thank you for the review."),
        review_for=review_for,
    )


@bp.post("/orders/<order_id>/complain")
@login_required
def complain(order_id: str):
    """An executor who took the order complains about it (the API's checks)."""
    fields = {name: request.form.get(name, "") for name in ("reason", "text")}
    data, errors = validate_form(ComplaintIn, {"order_id": order_id, **fields})
    if data is None:
        return _panel(order_id, 422, errors=errors)
    return _act(
        order_id,
        lambda: reviews.complain(current(), order_id, data.reason, data.text),
        _("The complaint is sent."),
    )


@bp.post("/orders/<order_id>/close")
@login_required
def close_order(order_id: str):
    """The client closes the order (withdrawn before takes, closed after)."""
    return _act(
        order_id, lambda: services.close_order(current(), order_id), _("The order is closed.")
    )


@bp.post("/orders/<order_id>/delete")
@login_required
def delete_order(order_id: str):
    try:
        services.delete_order(current(), order_id)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 404:
            raise
        return _panel(order_id, exc.status, str(exc.detail or exc.title))
    return htmx.go(url_for("market_pages.mine_page"), toast=_("The order is deleted."))


# --- executors ----------------------------------------------------------------------------


@bp.get("/executors/<int:executor_id>")
@optional_user
def executor_page(executor_id: int):
    """An executor's public profile (linked from the client's list of who took the order)."""
    return _page("market/executor.html", profile=reviews.executor_profile(executor_id))


# --- posting -------------------------------------------------------------------------------


@bp.route("/orders/new", methods=["GET", "POST"])
@login_required
def new_order_page():
    """The new-order form; field errors appear next to their fields (422)."""
    config = settings()
    values = {name: request.form.get(name, "") for name in OrderIn.model_fields}
    # The city typeahead sends the picked city's id, or only what was typed (a name).
    values["city"] = values["city"] or request.form.get("city_text", "")
    errors: dict[str, str] = {}
    form_error = None
    refused = 422
    if request.method == "POST":
        draft, errors = validate_form(OrderIn, values)
        if draft is not None:
            try:
                order = services.create_order(current(), services.OrderDraft(**draft.model_dump()))
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                errors = errors_by_field(exc.errors or [])
                form_error = None if errors else str(exc.detail or exc.title)
                refused = 422 if errors else exc.status  # e.g. 409: the contact has an order
                if exc.status == 429:
                    return _page(
                        "market/new.html",
                        429,
                        headers={"Retry-After": str(getattr(exc, "retry_after", 60))},
                        config=config,
                        values=values,
                        errors=errors,
                        form_error=form_error,
                    )
            else:
                target = url_for("market_pages.order_page", order_id=order.id)
                return htmx.go(target, toast=_("The order is posted."))
    status = refused if errors or form_error else 200
    return _page(
        "market/new.html",
        status,
        config=config,
        values=values,
        errors=errors,
        form_error=form_error,
    )


# --- my orders -----------------------------------------------------------------------------


@bp.get("/orders/mine")
@login_required
def mine_page():
    """My orders: as client (posted) or as executor (taken)."""
    role = "executor" if request.args.get("role") == "executor" else "client"
    me = current()
    skip = _skip()
    page = services.my_orders(me, role, skip=skip, limit=PAGE_SIZE)
    return _page(
        "market/mine.html",
        role=role,
        orders=services.view_orders(me, page.items),
        has_more=page.has_more,
        skip=skip,
        page_size=PAGE_SIZE,
    )


# --- my reviews ----------------------------------------------------------------------------


@bp.get("/reviews/mine")
@login_required
def my_reviews_page():
    """The reviews I wrote (as a client) or, `?about=me`, the ones about me (as an
    executor), newest first, each with its author and its order's category and city."""
    about_me = request.args.get("about") == "me"
    me = current()
    skip = _skip()
    page = reviews.list_reviews(
        author_id=None if about_me else me.id,
        executor_id=me.id if about_me else None,
        skip=skip,
        limit=PAGE_SIZE,
    )
    return _page(
        "market/reviews.html",
        about_me=about_me,
        entries=page.items,
        has_more=page.has_more,
        skip=skip,
        page_size=PAGE_SIZE,
    )


# --- /me -----------------------------------------------------------------------------------


def _city_choices(selected: list[int]) -> list[tuple[int, str]]:
    """(id, name) of the popular cities, then of the other selected ones."""
    ids = [popular.city.id for popular in popular_cities()]
    ids += [city_id for city_id in selected if city_id not in ids]
    return [(city_id, city_label(city_id, str(city_id))) for city_id in ids]


def _me_context() -> dict[str, Any]:
    me = current()
    config = settings()
    history = money.transactions_of(me.id, skip=0, limit=PAGE_SIZE)
    profile = preferences.market_profile(me)
    subscribed = [c for c in profile.preferences.city_ids or [] if isinstance(c, int)]
    return {
        "me": me,
        "profile": profile,
        "subscribed_cities": subscribed,
        "city_choices": _city_choices(subscribed),
        "config": config,
        "frequencies": list(Frequency),
        "history": history.items,
        "history_more": history.has_more,
        "history_skip": 0,
        "page_size": PAGE_SIZE,
        "dev_recharge": config.dev_recharge,
        "stars_rate": config.stars_to_kopecks,
        **community_context(me),  # the community profile's section (webapp/users/pages.py)
    }


@bp.get("/me")
@login_required
def me_page():
    """Profile, balance and history, top-up, subscriptions and language."""
    return _page("market/me.html", **_me_context())


@bp.get("/me/balance")
@login_required
def balance_part():
    """The balance and the first page of history (after a top-up)."""
    return _page("market/partials/_balance.html", **_me_context())


@bp.get("/me/history")
@login_required
def history_rows():
    skip = _skip()
    history = money.transactions_of(current().id, skip=skip, limit=PAGE_SIZE)
    return _page(
        "market/partials/_history_rows.html",
        history=history.items,
        history_more=history.has_more,
        history_skip=skip,
        page_size=PAGE_SIZE,
    )


@bp.post("/me/recharge")
@login_required
def recharge():
    """Development recharge (only with DEV_RECHARGE=1): whole rubles, checked by the API's
    schema (in kopecks); an invalid amount changes nothing and says why (422)."""
    raw = request.form.get("rubles", "").strip()
    data, _errors = validate_form(RechargeIn, {"amount": int(raw) * 100 if raw.isdigit() else raw})
    if data is None:
        limit = RechargeIn.model_fields["amount"].metadata
        most = next((rule.le for rule in limit if hasattr(rule, "le")), 0) // 100
        message = _("Enter a whole number of rubles from 1 to %(most)s.", most=most)
        return _page("market/partials/_balance.html", 422, recharge_error=message, **_me_context())
    money.dev_recharge(current(), data.amount)
    db.session.commit()
    return _page("market/partials/_balance.html", toast=_("Balance updated."), **_me_context())


@bp.post("/me/subscriptions")
@login_required
def subscriptions():
    """Save the categories, cities, frequency of announcements and the instant cooldown
    (checked by the API's schema: 5 to 15 minutes, blank for the deployment's)."""
    me = current()
    frequency = request.form.get("frequency", "")
    cooldown_sent = request.form.get("instant_cooldown_minutes")
    try:
        # The toggles send ids; the typeahead a picked id or only what was typed.
        sent = request.form.getlist("cities")
        cities = [c for c in sent if c.strip()]
        typed = request.form.get("cities_text", "").strip()
        if typed and "" in sent:  # typed, not picked: the typeahead's own id is empty
            cities.append(typed)
        preferences.set_subscriptions(me, request.form.getlist("categories"), cities)
        if frequency in {f.value for f in Frequency}:
            cooldown: int | preferences.Keep | None = preferences.KEEP
            if cooldown_sent is not None:
                fields = {"frequency": frequency, "instant_cooldown_minutes": cooldown_sent or None}
                checked, errors = validate_form(NotificationSettingsIn, fields)
                if checked is None:
                    raise ValidationFailed(next(iter(errors.values())))
                cooldown = checked.instant_cooldown_minutes
            preferences.set_frequency(me, Frequency(frequency), cooldown)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        error = next(iter(errors_by_field(exc.errors or []).values()), None) or str(exc.detail)
        return _page("market/partials/_subscriptions.html", 422, error=error, **_me_context())
    return _page(
        "market/partials/_subscriptions.html", toast=_("Saved."), error=None, **_me_context()
    )


@bp.post("/me/language")
@login_required
def language():
    """Switch the interface language (the users service stores it)."""
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        me = current()
        users.update_profile(me, me.id, users.ProfileChanges(locale=locale))
        db.session.commit()
    return htmx.go(url_for("market_pages.me_page"))
