"""Market tables: orders and their takes, balances and their audit trail, reviews,
complaints, Stars invoices and payments, idempotency keys, and executors' subscriptions.

Invariants the database itself keeps (so they hold under any concurrency, on SQLite too):
* a balance is never negative (`CHECK balance >= 0`);
* one take per (order, executor); one refund and one charge per take (unique
  `(type, reference)` on transactions); one credit per Telegram payment charge id, and per
  issued Stars invoice;
* one client review per (order, executor), one complaint per (order, executor);
* an `Idempotency-Key` is stored once per user.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.database import UTCDateTime, utcnow, value_enum
from webapp.extensions import Model
from webapp.market.cities import keys_of
from webapp.users.models import User


class OrderStatus(enum.StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    DELETED = "deleted"
    CLOSED_NO_RESPONSE = "closed_no_response"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"  # its client closed it before anyone took it
    CLOSED = "closed"  # its client closed it after takes (no refunds: the contact was seen)


class TransactionType(enum.StrEnum):
    RECHARGE = "recharge"
    STARS_TOPUP = "stars_topup"
    ORDER_TAKE = "order_take"
    REFUND = "refund"


class Frequency(enum.StrEnum):
    INSTANT = "instant"
    HOURLY = "hourly"
    DAILY = "daily"
    OFF = "off"


class Order(Model):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("takes_count >= 0", name="takes_count_not_negative"),
        # The feed: one index per filter combination, each in the feed's order (newest first,
        # then id) and carrying expires_at, so the page and its bounded count walk the index
        # and stop after the rows they need, however large the table.
        *(
            Index(
                "_".join(("ix_orders_feed", *filters)),
                *filters,
                "status",
                "created_at",
                "id",
                postgresql_include=["expires_at"],
            )
            for filters in ((), ("category",), ("city_id",), ("category", "city_id"))
        ),
        # The sweeps (status, expires_at) and the feed's `sort=ending` (…, id).
        Index("ix_orders_status_expires_at_id", "status", "expires_at", "id"),
        Index("ix_orders_client_created", "client_id", "created_at"),
        # One active order per contact (`MARKET_ONE_ORDER_PER_CONTACT`): the key is set only
        # under that rule, and only active orders are in the index.
        Index(
            "ix_orders_one_active_per_contact",
            "contact_key",
            unique=True,
            postgresql_where=text("status = 'active'"),
            sqlite_where=text("status = 'active'"),
        ),
        # `search=`: a substring of the casefolded description, found through trigrams
        # (PostgreSQL's pg_trgm), in one GIN index with the feed's filters (btree_gin), so a
        # search in a category and city reads the orders that match all three, not every
        # order in the table that holds the word (both extensions created with the table).
        Index(
            "ix_orders_search_trgm",
            "category",
            "city_id",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    category: Mapped[str] = mapped_column(String(64), nullable=False)
    # The city: its GeoNames id in the directory (`webapp.cities`; what the feed filters
    # and subscriptions match) and its key for old clients (`webapp.market.cities`). Rows
    # older than the directory whose city it could not place have no id.
    city: Mapped[str] = mapped_column(String(64), nullable=False)
    city_id: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    # The description casefolded («Ёлки» as «елки»), what `search=` matches: SQLite's
    # lower() knows only ASCII, so the folding is Python's (`services.orders.fold`).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="", nullable=False)
    contact: Mapped[str] = mapped_column(String(200), nullable=False)
    # The contact compared (`services.orders.contact_key`: case, spaces and punctuation
    # dropped); NULL when the deployment allows several active orders per contact.
    contact_key: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[OrderStatus] = mapped_column(
        value_enum(OrderStatus, "order_status", length=24),
        default=OrderStatus.ACTIVE,
        nullable=False,
    )
    takes_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # The 15-minute response window starts at the first take.
    first_taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_executor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    client: Mapped[User] = relationship(foreign_keys=[client_id])


# The search index needs two extensions (trusted ones: the database's owner may create them).
for extension in ("pg_trgm", "btree_gin"):
    event.listen(
        Order.__table__,
        "before_create",
        DDL(f"CREATE EXTENSION IF NOT EXISTS {extension}").execute_if(dialect="postgresql"),
    )

# How many orders hold a searched word is estimated from a sample of descriptions; with
# PostgreSQL's default of 100 histogram entries a word one order in a thousand holds was
# estimated at one in a hundred after one ANALYZE in eight, and the feed then walked the
# time index through half of a million orders (160 ms) instead of reading its 110 from the
# trigram index (4 ms). A thousand entries keep the estimate near the truth.
SEARCH_TEXT_STATISTICS = 1000
event.listen(
    Order.__table__,
    "after_create",
    DDL(
        f"ALTER TABLE orders ALTER COLUMN search_text SET STATISTICS {SEARCH_TEXT_STATISTICS}"
    ).execute_if(dialect="postgresql"),
)


class Take(Model):
    __tablename__ = "order_takes"
    __table_args__ = (UniqueConstraint("order_id", "executor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), nullable=False)
    executor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    price: Mapped[int] = mapped_column(BigInteger, nullable=False)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order: Mapped[Order] = relationship(lazy="joined")


class Account(Model):
    """A user's balance in kopecks; created on the first credit."""

    __tablename__ = "market_accounts"
    __table_args__ = (CheckConstraint("balance >= 0", name="balance_not_negative"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    balance: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)


class BalanceTransaction(Model):
    """The audit trail: a balance always equals the sum of its transactions' amounts."""

    __tablename__ = "balance_transactions"
    __table_args__ = (
        UniqueConstraint("type", "reference"),
        Index("ix_balance_transactions_user", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    type: Mapped[TransactionType] = mapped_column(
        value_enum(TransactionType, "transaction_type", length=24), nullable=False
    )
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)
    balance_after: Mapped[int] = mapped_column(BigInteger, nullable=False)
    # What caused it: `take:<id>` (charge and refund), a Stars charge id, `recharge:<uuid>`.
    reference: Mapped[str | None] = mapped_column(String(160))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class IssuedStarsInvoice(Model):
    """A Stars invoice this server created: the only payloads a payment is credited for, and
    the amount it asked (`invoice_payload` comes back from the client side: an id to look up,
    never data to trust). `paid_charge_id` is the one charge that paid it."""

    __tablename__ = "stars_invoices"

    payload: Mapped[str] = mapped_column(String(128), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    stars: Mapped[int] = mapped_column(Integer, nullable=False)
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    paid_charge_id: Mapped[str | None] = mapped_column(String(128), nullable=True)


class StarsPayment(Model):
    """A Telegram Stars payment, credited once per `telegram_payment_charge_id`."""

    __tablename__ = "stars_payments"

    telegram_payment_charge_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    stars: Mapped[int] = mapped_column(Integer, nullable=False)
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)
    payload: Mapped[str] = mapped_column(String(128), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class IdempotencyKey(Model):
    """The first result of a request sent with an `Idempotency-Key` (here: a take)."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    key: Mapped[str] = mapped_column(String(128), nullable=False)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), nullable=False)
    take_id: Mapped[int | None] = mapped_column(ForeignKey("order_takes.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class ClientReview(Model):
    """A client's rating of an executor who took their order."""

    __tablename__ = "client_reviews"
    __table_args__ = (
        UniqueConstraint("order_id", "executor_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        # The lists newest first: reviews about an executor, reviews a client wrote.
        Index("ix_client_reviews_executor", "executor_id", "id"),
        Index("ix_client_reviews_client", "client_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), nullable=False)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    executor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    rating: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    text: Mapped[str] = mapped_column(Text, default="", nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class ExecutorComplaint(Model):
    """An executor's complaint about an order they took (one per order and executor)."""

    __tablename__ = "executor_complaints"
    __table_args__ = (UniqueConstraint("order_id", "executor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), nullable=False)
    executor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    reason: Mapped[str] = mapped_column(String(32), nullable=False)
    text: Mapped[str] = mapped_column(Text, default="", nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Preferences(Model):
    """What an executor wants to hear about, and how often."""

    __tablename__ = "market_preferences"
    __table_args__ = (
        CheckConstraint("instant_cooldown_minutes BETWEEN 5 AND 15", name="instant_cooldown_range"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    categories: Mapped[list[Any]] = mapped_column(JSON, default=list, nullable=False)
    # The subscribed cities' GeoNames ids (the column's name is older than the directory).
    city_ids: Mapped[list[Any]] = mapped_column("cities", JSON, default=list, nullable=False)
    frequency: Mapped[Frequency] = mapped_column(
        value_enum(Frequency, "notify_frequency", length=24),
        default=Frequency.INSTANT,
        nullable=False,
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # The last instant announcement sent (the cooldown counts from it).
    last_announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The user's own instant-mode cooldown, 5 to 15 minutes (Srochno's range); NULL: the
    # deployment's `MARKET_INSTANT_COOLDOWN_MINUTES`.
    instant_cooldown_minutes: Mapped[int | None] = mapped_column(Integer)

    @property
    def cities(self) -> list[str]:
        """The subscribed cities as old clients name them (configured keys, else English
        names)."""
        return keys_of([city_id for city_id in self.city_ids or [] if isinstance(city_id, int)])
