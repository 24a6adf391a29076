"""Every feature's models, imported so the metadata (Alembic, `create_all`) sees all tables."""

from bot.models import OutgoingMessage
from webapp.admin.models import AuditEntry
from webapp.auth.models import RevokedToken
from webapp.users.models import User

__all__ = ["AuditEntry", "OutgoingMessage", "RevokedToken", "User"]
