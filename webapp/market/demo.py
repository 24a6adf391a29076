"""Demo market through the market services: Oleg posts a few urgent orders (categories and
cities from the config), Anna and Mira get balances by the recharge credit, Anna takes one
order (paying the take price) and Oleg responds to her, and both executors subscribe to
categories and cities.

Idempotent: an order is posted only when its client has no active order with that
description, a balance is credited once (its `demo-recharge:<username>` reference is unique
per transaction type), and a repeated take is answered by the service without a charge.
"""

from __future__ import annotations

from sqlalchemy import select

from webapp.extensions import db
from webapp.market import money, preferences, services
from webapp.market.config import settings
from webapp.market.models import BalanceTransaction, Frequency, Order, OrderStatus, TransactionType
from webapp.users.models import User

RECHARGE = 1_000_00  # kopecks
ORDERS = (
    ("Deliver a parcel across town within two hours.", "+7 900 000-00-01"),
    ("The kitchen tap is leaking — need someone today.", "@oleg_demo"),
    ("Help carry a sofa to the 4th floor, no lift.", "+7 900 000-00-02"),
)


def _credit_once(user: User) -> None:
    reference = f"demo-recharge:{user.username}"
    done = db.session.scalar(
        select(BalanceTransaction.id).where(
            BalanceTransaction.user_id == user.id,
            BalanceTransaction.type == TransactionType.RECHARGE,
            BalanceTransaction.reference == reference,
        )
    )
    if done is None:
        money.credit(user.id, RECHARGE, TransactionType.RECHARGE, reference)


def seed(people: dict[str, User]) -> None:
    config = settings()
    client, anna, mira = people["oleg_demo"], people["anna_demo"], people["mira_demo"]
    for executor in (anna, mira):
        _credit_once(executor)
    preferences.set_subscriptions(anna, config.categories[:3], config.cities[:2])
    preferences.set_frequency(anna, Frequency.INSTANT)
    preferences.set_subscriptions(mira, config.categories[-2:], config.cities[:1])
    active = set(
        db.session.scalars(
            select(Order.description).where(
                Order.client_id == client.id, Order.status == OrderStatus.ACTIVE
            )
        )
    )
    orders = []
    for index, (description, contact) in enumerate(ORDERS):
        if description in active:
            continue
        draft = services.OrderDraft(
            category=config.categories[index % len(config.categories)],
            city=config.cities[index % len(config.cities)],
            description=description,
            contact=contact,
        )
        orders.append(services.create_order(client, draft))
    if orders:
        services.take_order(anna, orders[0].id)
        services.respond_to_order(client, orders[0].id)
