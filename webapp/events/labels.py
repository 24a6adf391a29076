"""The names people read for an event's kind, level, join mode and their own status."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from webapp.events.models import JoinMode, Kind, Level

KIND_NAMES = {Kind.EVENT: _l("Event"), Kind.TRAINING: _l("Training")}
LEVEL_NAMES = {
    Level.ANY: _l("Any level"),
    Level.BEGINNER: _l("Beginner"),
    Level.INTERMEDIATE: _l("Intermediate"),
    Level.ADVANCED: _l("Advanced"),
}
JOIN_MODE_NAMES = {
    JoinMode.OPEN: _l("Anyone can join"),
    JoinMode.APPROVAL: _l("The organiser approves"),
}
STATUS_NAMES = {
    "pending": _l("Application sent"),
    "joined": _l("You are in"),
    "waitlisted": _l("On the waitlist"),
    "rejected": _l("Application declined"),
}
WEEKDAY_NAMES = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)
