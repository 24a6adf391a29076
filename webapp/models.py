"""Every feature's models, imported so the metadata (Alembic, `create_all`) sees all tables."""

from bot.models import OutgoingMessage
from webapp.auth.models import RevokedToken
from webapp.events.models import Event, Participant
from webapp.tasks.models import Task
from webapp.tickets.models import TicketForm
from webapp.users.models import User

__all__ = ["Event", "OutgoingMessage", "Participant", "RevokedToken", "Task", "TicketForm", "User"]
