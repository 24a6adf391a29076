"""Every feature's models, imported so the metadata (Alembic, `create_all`) sees all tables."""

from bot.models import OutgoingMessage
from webapp.auth.models import RevokedToken
from webapp.market.models import (
    Account,
    BalanceTransaction,
    ClientReview,
    ExecutorComplaint,
    IdempotencyKey,
    Order,
    Preferences,
    StarsPayment,
    Take,
)
from webapp.users.models import User

__all__ = [
    "Account",
    "BalanceTransaction",
    "ClientReview",
    "ExecutorComplaint",
    "IdempotencyKey",
    "Order",
    "OutgoingMessage",
    "Preferences",
    "RevokedToken",
    "StarsPayment",
    "Take",
    "User",
]
