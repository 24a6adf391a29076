"""Every feature's models, imported so the metadata (Alembic, `create_all`) sees all tables."""

from webapp.auth.models import RevokedToken
from webapp.users.models import User

__all__ = ["RevokedToken", "User"]
