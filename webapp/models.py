"""Every feature's models, imported so the metadata (Alembic, `create_all`) sees all tables."""

from bot.models import OutgoingMessage
from webapp.admin.models import AuditEntry
from webapp.auth.models import RevokedToken
from webapp.problems.models import Attempt, Problem, ProblemRating, UserRating
from webapp.users.models import User

__all__ = [
    "Attempt",
    "AuditEntry",
    "OutgoingMessage",
    "Problem",
    "ProblemRating",
    "RevokedToken",
    "User",
    "UserRating",
]
