"""Every feature's models, imported so the metadata (Alembic, `create_all`) sees all tables."""

from bot.models import BlockedChat, OutgoingMessage, ProcessedUpdate
from webapp.auth.models import RevokedToken
from webapp.users.models import User

__all__ = ["BlockedChat", "OutgoingMessage", "ProcessedUpdate", "RevokedToken", "User"]
