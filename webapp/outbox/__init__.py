"""The outbox: the one way any feature sends a Telegram message.

A feature calls `queue_message(chat_id, text, …)` inside the unit of work that causes the
message; the row commits (or rolls back) with that change. Delivering it — after commit,
under Telegram's limits, with retries — is the bot's sender's business (`bot/sender.py`),
which this package does not know: a commit that queued messages leaves a mark on its
session (`take_queued_mark`) that the sender's after-commit hook, installed by the app
factory, reads.
"""

from webapp.outbox.models import MessageStatus, OutgoingMessage
from webapp.outbox.services import queue_message, queue_selected, queued_for, take_queued_mark

__all__ = [
    "MessageStatus",
    "OutgoingMessage",
    "queue_message",
    "queue_selected",
    "queued_for",
    "take_queued_mark",
]
