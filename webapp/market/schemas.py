"""Wire schemas of the market. Contacts appear only where `OrderOut.contact` is filled by
`services.view_order` (the client and the executors who took the order); money is `Money`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, WithJsonSchema, field_validator

from webapp.api import (
    DB_INT_MAX,
    Id,
    Input,
    KeysetPage,
    KeysetPagination,
    Money,
    Page,
    Pagination,
    Params,
    Schema,
    json_instant,
)
from webapp.core import choices
from webapp.i18n import choice_name
from webapp.market.cities import PopularCity, city_label, popular_cities
from webapp.market.config import COOLDOWN_MINUTES, MarketSettings
from webapp.market.models import (
    BalanceTransaction,
    Frequency,
    OrderStatus,
    Preferences,
    TransactionType,
)
from webapp.market.preferences import MarketProfile
from webapp.market.reviews import COMPLAINT_REASONS, ExecutorProfile, ReviewCheck, ReviewEntry
from webapp.market.services import ExecutorSummary, OrderView, TakeResult, TakeSummary
from webapp.users.models import User
from webapp.users.schemas import UserOut

OrderId = Field(..., min_length=1, max_length=12, pattern=r"^[A-Za-z0-9]+$")


def _city_ref(value: int | str) -> int | str:
    """A directory id (1 to 2^31-1) or a name of 1 to 64 characters; whether the directory
    knows it is the service's question."""
    wrong_id = isinstance(value, int) and not 1 <= value <= DB_INT_MAX
    if wrong_id or (isinstance(value, str) and not 1 <= len(value.strip()) <= 64):
        # a msgid of the market's catalog: `validation_message` translates it
        raise ValueError("Choose a city from the list.")
    return value


# One error on the field itself (not one per member of a union).
CityRef = Annotated[
    int | str,
    AfterValidator(_city_ref),
    WithJsonSchema(  # what `_city_ref` accepts, said to API clients (and the fuzzer)
        {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": DB_INT_MAX},
                {"type": "string", "minLength": 1, "maxLength": 64},
            ]
        }
    ),
]
CITY_REF = (
    "A city of the directory: its id (`GET /api/cities`) or a name the directory knows "
    '("Тула", "tula", "питер", a configured key such as "Moscow")'
)


def money(amount: int) -> Money:
    return Money(amount=amount)


class _Text(Input):
    @field_validator("description", "contact", check_fields=False)
    @classmethod
    def not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be blank")
        return value


class OrderIn(_Text):
    category: str = Field(..., min_length=1, max_length=64)
    city: CityRef = Field(..., description=CITY_REF)
    description: str = Field(..., min_length=1, max_length=2000)
    contact: str = Field(..., min_length=1, max_length=200)


class OrderUpdate(_Text):
    category: str | None = Field(None, min_length=1, max_length=64)
    city: CityRef | None = None
    description: str | None = Field(None, min_length=1, max_length=2000)
    contact: str | None = Field(None, min_length=1, max_length=200)


class OrderPath(Params):
    order_id: str = OrderId


class OrderListQuery(KeysetPagination):
    category: str | None = Field(None, max_length=64)
    city: str | None = Field(
        None, max_length=64, description="A city's directory id or a name the directory knows"
    )
    search: str | None = Field(
        None, max_length=100, description="Orders whose description holds this (any case)"
    )
    sort: Literal["newest", "ending"] = Field(
        "newest", description="`newest` first, or `ending`: the soonest to expire first"
    )


class MineQuery(Pagination):
    role: Literal["client", "executor"] = "client"


class TakeExecutorOut(BaseModel):
    id: int
    name: str
    username: str | None
    rating: float | None = Field(None, description="Mean of the clients' reviews (1 to 5)")
    completed_orders: int


class OrderTakeOut(BaseModel):
    executor: TakeExecutorOut
    taken_at: datetime


class OrderOut(Schema):
    id: str
    client_id: int
    category: str
    city: str = Field(description="The configured key of a popular city, else its English name")
    city_id: int | None = Field(description="The city's id in the directory (`/api/cities`)")
    city_name: str = Field(description="The city's name in the reader's language")
    description: str
    status: OrderStatus
    created_at: datetime
    expires_at: datetime
    minutes_left: int
    takes_count: int
    max_takes: int
    contact: str | None = Field(None, description="Only for the client and executors who took it")
    is_mine: bool = False
    taken_by_me: bool = False
    respond_by: datetime | None = None
    responded_at: datetime | None = Field(
        None, description="When the client responded; for the client and the executors"
    )
    takes: list[OrderTakeOut] | None = Field(
        None,
        description="Only in `GET /api/orders/<id>`: every take for the client, their own "
        "for an executor who took it, none for anyone else",
    )


class OrderPage(KeysetPage[OrderOut]):
    """A page of `OrderOut` (see `webapp.api.KeysetPage`)."""


class CompleteIn(Input):
    executor_id: Id


class TakeOut(Schema):
    order_id: str
    executor_id: int
    taken_at: datetime
    price: Money
    balance_after: Money
    contact: str


class BalanceOut(BaseModel):
    balance: Money


class TransactionOut(Schema):
    id: int
    type: TransactionType
    amount: Money
    balance_after: Money
    reference: str | None
    created_at: datetime


class TransactionPage(Page[TransactionOut]):
    """A page of `TransactionOut` (see `webapp.api.Page`)."""


class RechargeIn(Input):
    amount: int = Field(..., ge=1, le=10_000_000, description="Kopecks")


class StarsInvoiceIn(Input):
    stars: int = Field(..., ge=1, le=10_000)


class StarsInvoiceOut(BaseModel):
    invoice_link: str
    stars: int
    amount: Money


class PreferencesIn(Input):
    categories: list[str] = Field(default_factory=list, max_length=100)
    cities: list[CityRef] = Field(
        default_factory=list, max_length=100, description="Directory ids or names"
    )


class NotificationSettingsIn(Input):
    frequency: Frequency
    instant_cooldown_minutes: int | None = Field(
        None,
        ge=COOLDOWN_MINUTES[0],
        le=COOLDOWN_MINUTES[1],
        description="In instant mode, the least minutes between two announcements (5 to 15); "
        "null: the deployment's; left out: unchanged",
    )


class PreferencesOut(Schema):
    categories: list[str]
    cities: list[str] = Field(description="Configured keys of popular cities, else English names")
    city_ids: list[int] = Field(description="The same cities' directory ids")
    frequency: Frequency


class NotificationSettingsOut(PreferencesOut):
    instant_cooldown_minutes: int = Field(
        ..., description="In instant mode, the least minutes between two announcements"
    )
    own_instant_cooldown: bool = Field(
        ..., description="Whether the user chose the cooldown (else it is the deployment's)"
    )


class MarketProfileOut(Schema):
    balance: Money
    completed_orders: int
    average_rating: float | None
    reviews_count: int
    preferences: PreferencesOut


class MeOut(UserOut):
    """`GET /api/users/me`: the profile plus the market (balance, rating, subscriptions)."""

    market: MarketProfileOut


class ClientReviewIn(Input):
    order_id: str = OrderId
    executor_id: Id
    rating: int = Field(..., ge=1, le=5)
    text: str = Field("", max_length=2000)


class ComplaintIn(Input):
    order_id: str = OrderId
    reason: Literal[COMPLAINT_REASONS]  # type: ignore[valid-type]
    text: str = Field("", max_length=2000)


class ReviewAuthorOut(BaseModel):
    id: int
    name: str


class ReviewOut(BaseModel):
    id: int
    order_id: str
    executor_id: int
    rating: int
    text: str
    created_at: datetime
    author: ReviewAuthorOut
    category: str = Field(..., description="The order's category")
    city: str = Field(..., description="The order's city: a popular city's key, else its name")
    city_id: int | None = Field(None, description="The order's city in the directory")
    city_name: str = Field(..., description="The order's city in the reader's language")


class ReviewPage(Page[ReviewOut]):
    """A page of `ReviewOut` (see `webapp.api.Page`)."""


class ComplaintOut(Schema):
    id: int
    order_id: str
    executor_id: int
    reason: str
    text: str
    created_at: datetime


class ReviewQuery(Pagination):
    rating: int | None = Field(None, ge=1, le=5)
    executor_id: Id | None = None
    mine: bool = Field(False, description="Only the reviews the caller wrote (signed in)")
    about_me: bool = Field(False, description="Only the reviews about the caller (signed in)")


class ReviewCheckQuery(Params):
    order_id: str = OrderId


class ReviewCheckOut(BaseModel):
    order_id: str
    may_review: list[TakeExecutorOut] = Field(
        ..., description="The client: executors who took the order and are not reviewed yet"
    )
    may_complain: bool = Field(
        ..., description="An executor who took the order and has not complained yet"
    )


class ExecutorPath(Params):
    user_id: Id


class ExecutorProfileOut(TakeExecutorOut):
    reviews_count: int
    recent_reviews: list[ReviewOut]


class PopularCityOut(BaseModel):
    """A configured city: its key (`cities`), its directory id and names."""

    key: str
    id: int
    name: str = Field(description="In the reader's language")
    name_en: str
    name_ru: str
    region_en: str | None
    region_ru: str | None


class MarketCategoryOut(BaseModel):
    """A configured category: its key (`categories`) and its names."""

    key: str
    name: str = Field(description="In the reader's language")
    name_en: str
    name_ru: str


class ConfigOut(BaseModel):
    categories: list[str]
    category_names: list[MarketCategoryOut] = Field(
        description="Each category with its English and Russian names (the deployment's own)"
    )
    cities: list[str] = Field(
        description="The popular cities' keys (any directory city is allowed)"
    )
    popular_cities: list[PopularCityOut]
    ticket_types: list[str]
    take_price: Money
    order_ttl_minutes: int
    response_minutes: int
    max_takes: int
    orders_per_hour: int
    stars_to_kopecks: int
    dev_recharge: bool


# --- from the services' objects to the wire ------------------------------------------------


def config_out(settings: MarketSettings, ticket_types: list[str]) -> ConfigOut:
    """`GET /api/config`: what the Mini App needs to know before it asks anything."""
    popular = popular_cities()
    names = choices.display_names("category")
    return ConfigOut(
        categories=settings.categories,
        category_names=[
            MarketCategoryOut(
                key=key,
                name=choice_name("category", key),
                name_en=names.get(key, {}).get("en") or key,
                name_ru=names.get(key, {}).get("ru") or names.get(key, {}).get("en") or key,
            )
            for key in settings.categories
        ],
        cities=[city.key for city in popular],
        popular_cities=[popular_city_out(city) for city in popular],
        ticket_types=list(ticket_types),
        take_price=money(settings.take_price),
        order_ttl_minutes=settings.order_ttl_minutes,
        response_minutes=settings.response_minutes,
        max_takes=settings.max_takes,
        orders_per_hour=settings.orders_per_hour,
        stars_to_kopecks=settings.stars_to_kopecks,
        dev_recharge=settings.dev_recharge,
    )


def executor_out(executor: ExecutorSummary) -> TakeExecutorOut:
    return TakeExecutorOut(
        id=executor.id,
        name=executor.name,
        username=executor.username,
        rating=executor.rating,
        completed_orders=executor.completed_orders,
    )


def popular_city_out(popular: PopularCity) -> PopularCityOut:
    return PopularCityOut(
        key=popular.key,
        id=popular.city.id,
        name=city_label(popular.city.id, popular.key),
        name_en=popular.name_en,
        name_ru=popular.name_ru,
        region_en=popular.city.region_en,
        region_ru=popular.city.region_ru,
    )


def take_summary_out(take: TakeSummary) -> OrderTakeOut:
    return OrderTakeOut(executor=executor_out(take.executor), taken_at=take.taken_at)


def review_out(entry: ReviewEntry) -> ReviewOut:
    review = entry.review
    return ReviewOut(
        id=review.id,
        order_id=review.order_id,
        executor_id=review.executor_id,
        rating=review.rating,
        text=review.text,
        created_at=review.created_at,
        author=ReviewAuthorOut(id=entry.author.id, name=entry.author.display_name),
        category=entry.category,
        city=entry.city,
        city_id=entry.city_id,
        city_name=city_label(entry.city_id, entry.city),
    )


def review_check_out(check: ReviewCheck) -> ReviewCheckOut:
    return ReviewCheckOut(
        order_id=check.order_id,
        may_review=[executor_out(e) for e in check.may_review],
        may_complain=check.may_complain,
    )


def executor_profile_out(profile: ExecutorProfile) -> ExecutorProfileOut:
    base = executor_out(profile.executor).model_dump()
    return ExecutorProfileOut(
        **base,
        reviews_count=profile.executor.reviews_count,
        recent_reviews=[review_out(r) for r in profile.recent_reviews],
    )


def order_out(view: OrderView, max_takes: int, takes: list[TakeSummary] | None = None) -> OrderOut:
    """An order as `view`'s viewer sees it (the fields of `order_json`); `takes` (from
    `services.takes_seen_by`) only for one order's own answer."""
    fields = order_json(view, max_takes)
    if takes is not None:
        fields["takes"] = [take_summary_out(t) for t in takes]
    return OrderOut.model_validate(fields)


def order_json(view: OrderView, max_takes: int) -> dict[str, Any]:
    """An order as `view`'s viewer sees it, as JSON without building `OrderOut`: the lists'
    hot path (`order_out` validates the same fields; `tests/market/test_orders_api.py`
    checks a list's items against each order's own answer)."""
    order = view.order
    shows_response = view.is_mine or view.taken_by_me
    return {
        "id": order.id,
        "client_id": order.client_id,
        "category": order.category,
        "city": order.city,
        "city_id": order.city_id,
        "city_name": city_label(order.city_id, order.city),
        "description": order.description,
        "status": order.status.value,
        "created_at": json_instant(order.created_at),
        "expires_at": json_instant(order.expires_at),
        "minutes_left": view.minutes_left,
        "takes_count": order.takes_count,
        "max_takes": max_takes,
        "contact": view.contact,
        "is_mine": view.is_mine,
        "taken_by_me": view.taken_by_me,
        "respond_by": json_instant(view.respond_by),
        "responded_at": json_instant(order.responded_at) if shows_response else None,
        "takes": None,
    }


def take_out(result: TakeResult) -> TakeOut:
    take = result.take
    return TakeOut(
        order_id=take.order_id,
        executor_id=take.executor_id,
        taken_at=take.taken_at,
        price=money(take.price),
        balance_after=money(result.charge.balance_after),
        contact=result.contact,
    )


def transaction_out(entry: BalanceTransaction) -> TransactionOut:
    return TransactionOut(
        id=entry.id,
        type=entry.type,
        amount=money(entry.amount),
        balance_after=money(entry.balance_after),
        reference=entry.reference,
        created_at=entry.created_at,
    )


def notification_settings_out(
    prefs: Preferences, settings: MarketSettings
) -> NotificationSettingsOut:
    base = PreferencesOut.model_validate(prefs).model_dump()
    own = prefs.instant_cooldown_minutes
    minutes = own if own is not None else int(settings.instant_cooldown.total_seconds() // 60)
    return NotificationSettingsOut(
        **base, instant_cooldown_minutes=minutes, own_instant_cooldown=own is not None
    )


def market_profile_out(profile: MarketProfile) -> MarketProfileOut:
    return MarketProfileOut(
        balance=money(profile.balance),
        completed_orders=profile.completed_orders,
        average_rating=profile.average_rating,
        reviews_count=profile.reviews_count,
        preferences=PreferencesOut.model_validate(profile.preferences),
    )


def me_out(user: User, profile: MarketProfile) -> MeOut:
    """The caller's profile with its market part (`GET /api/users/me`); the route reads the
    market part (`preferences.market_profile`), a schema runs no query."""
    base = UserOut.model_validate(user).model_dump()
    return MeOut(**base, market=market_profile_out(profile))
