"""How the dashboard names an enum value: one registry of labels per enum.

Each module's labels live with the module (e.g. `webapp.market.views.STATUS_LABELS`,
`webapp.events.labels`, `webapp.auth.identity.ROLE_NAMES`); the ones only the dashboard
shows live here. `enum_label` is what list cells, detail pages and filter options show
(`SecureModelView.column_type_formatters`, `HubFilterConverter.conv_enum`), so a value is
never shown raw: a new enum without labels shows its value until it is added here.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from webapp.auth.identity import ROLE_NAMES
from webapp.events.labels import JOIN_MODE_NAMES, KIND_NAMES, LEVEL_NAMES
from webapp.events.models import JoinMode, Kind, Level
from webapp.market.models import OrderStatus, TransactionType
from webapp.market.views import STATUS_LABELS, TRANSACTION_LABELS
from webapp.outbox import MessageStatus
from webapp.problems.models import ProblemStatus
from webapp.tasks.models import Priority
from webapp.tickets.models import FormStatus
from webapp.users.models import Role

MESSAGE_STATUS_NAMES = {
    MessageStatus.PENDING: _l("Waiting"),
    MessageStatus.SENT: _l("Sent"),
    MessageStatus.BLOCKED: _l("Blocked the bot"),
    MessageStatus.FAILED: _l("Failed"),
    MessageStatus.CANCELLED: _l("Cancelled"),
}
PRIORITY_NAMES = {
    Priority.LOW: _l("Low priority"),
    Priority.NORMAL: _l("Normal priority"),
    Priority.HIGH: _l("High priority"),
}
PROBLEM_STATUS_NAMES = {
    ProblemStatus.PENDING: _l("Awaiting moderation"),
    ProblemStatus.APPROVED: _l("Approved"),
    ProblemStatus.REJECTED: _l("Rejected"),
}
FORM_STATUS_NAMES = {
    FormStatus.DRAFT: _l("Draft"),
    FormStatus.SUBMITTED: _l("Under review"),
    FormStatus.APPROVED: _l("Approved"),
    FormStatus.REJECTED: _l("Rejected"),
}

ENUM_LABELS: dict[type[enum.Enum], Mapping[Any, Any]] = {
    Role: ROLE_NAMES,
    Priority: PRIORITY_NAMES,
    MessageStatus: MESSAGE_STATUS_NAMES,
    ProblemStatus: PROBLEM_STATUS_NAMES,
    FormStatus: FORM_STATUS_NAMES,
    OrderStatus: STATUS_LABELS,
    TransactionType: TRANSACTION_LABELS,
    Kind: KIND_NAMES,
    Level: LEVEL_NAMES,
    JoinMode: JOIN_MODE_NAMES,
}


def enum_label(value: enum.Enum) -> str:
    """The translated name of `value` (its raw value when its enum has no labels)."""
    labels = ENUM_LABELS.get(type(value), {})
    return str(labels.get(value, value.value))


def enum_options(enum_class: type[enum.Enum] | None, values: list[Any]) -> list[tuple[Any, Any]]:
    """A filter's options: each stored value with its name, lazy (Flask-Admin reads the
    options once, when the view is built, and translates them for each page)."""
    if enum_class is None:
        return [(v, v) for v in values]
    names = ENUM_LABELS.get(enum_class, {})
    return [(v, names.get(enum_class(v), v)) for v in values]
