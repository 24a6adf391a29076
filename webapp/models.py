"""Every feature's models, imported so the metadata (Alembic, `create_all`) sees all tables."""

from bot.models import BlockedChat, ProcessedUpdate
from webapp.admin.analytics.models import ANALYTICS_INDEXES
from webapp.admin.broadcasts.models import Broadcast
from webapp.admin.models import AuditEntry
from webapp.auth.models import RevokedToken
from webapp.core.choices import Choice
from webapp.core.periodic import PeriodicRun
from webapp.events.models import Event, Participant
from webapp.market.models import (
    Account,
    BalanceTransaction,
    ClientReview,
    ExecutorComplaint,
    IdempotencyKey,
    IssuedStarsInvoice,
    Order,
    Preferences,
    StarsPayment,
    Take,
)
from webapp.outbox import OutgoingMessage
from webapp.problems.models import Attempt, Problem, ProblemRating, UserRating
from webapp.tasks.models import Task, TaskCategory, TaskTag
from webapp.tickets.models import FormNote, Questionnaire, QuestionnaireVersion, TicketForm
from webapp.training.models import TrainingEntry
from webapp.users.models import ActiveDay, User

__all__ = [
    "ANALYTICS_INDEXES",
    "Account",
    "ActiveDay",
    "Attempt",
    "AuditEntry",
    "BalanceTransaction",
    "BlockedChat",
    "Broadcast",
    "Choice",
    "ClientReview",
    "Event",
    "ExecutorComplaint",
    "FormNote",
    "IdempotencyKey",
    "IssuedStarsInvoice",
    "Order",
    "OutgoingMessage",
    "Participant",
    "PeriodicRun",
    "Preferences",
    "Problem",
    "ProblemRating",
    "ProcessedUpdate",
    "Questionnaire",
    "QuestionnaireVersion",
    "RevokedToken",
    "StarsPayment",
    "Take",
    "Task",
    "TaskCategory",
    "TaskTag",
    "TicketForm",
    "TrainingEntry",
    "User",
    "UserRating",
]
