"""What the bot says to users (in Russian and English): its replies, its menu button, the
webhook's refusals. Call the functions inside `flask_babel.force_locale(...)`.

The bot itself is the top-level `bot/` package (it sits above the features); its words live
here, in the core, so `scripts/translations.py` gives them a catalog of their own
(`webapp/bot_texts/translations`) next to the other features'.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

BOT_OFF = _l("The bot is not configured on this server.")
BAD_SECRET = _l("The webhook secret token is missing or wrong.")
BAD_UPDATE = _l("The body is not a Telegram update.")


def greeting(name: str) -> str:
    return gettext(
        "Hello, %(name)s! Tasks, events, tickets, problems and urgent jobs are all in the app.",
        name=name,
    )


def greeting_with_link(name: str) -> str:
    return gettext("Hello, %(name)s! Tap the button to open what you were sent.", name=name)


def open_app() -> str:
    return gettext("Open the app")


def help_text() -> str:
    return gettext(
        "What I can do:\n"
        "/start — open the app\n"
        "/events — upcoming events near you\n"
        "/my — your events and applications\n"
        "/applications — applications waiting for your decision\n"
        "/help — this list\n\n"
        "I also send you reminders, confirmations and new urgent jobs."
    )


def task_button_answer(outcome: str) -> str:
    """What a press of a task reminder's button did (`webapp.tasks.services.ReminderAnswer`)."""
    answers = {
        "done": gettext("Done. Well done!"),
        "already_done": gettext("This task is already done."),
        "snoozed": gettext("I will remind you again in an hour."),
        "already_snoozed": gettext("This reminder was already moved."),
    }
    return answers.get(outcome) or gettext("This task is no longer there.")


# --- the everyday commands of events (bot/handlers/event_commands.py) ---------------------


def command_list() -> list[tuple[str, str]]:
    """The commands the chat's menu shows (`setMyCommands`), described in this language."""
    return [
        ("events", gettext("Upcoming events near you")),
        ("my", gettext("My events and applications")),
        ("applications", gettext("Applications waiting for my decision")),
        ("start", gettext("Open the app")),
        ("help", gettext("What I can do")),
    ]


def sign_up_first() -> str:
    return gettext("Open the app once first, then ask me again.")


def events_near(city: str) -> str:
    return gettext("Upcoming events in %(city)s:", city=city)


def events_everywhere() -> str:
    return gettext("Upcoming events (set your city in your profile to see the ones near you):")


def no_events_near(city: str) -> str:
    return gettext("No upcoming events in %(city)s yet.", city=city)


def no_events() -> str:
    return gettext("No upcoming events yet.")


def event_line(number: int, title: str, when: str, place: str) -> str:
    line = gettext("%(num)d. %(title)s — %(when)s", num=number, title=title, when=when)
    return f"{line}\n   {place}" if place else line


def open_event(number: int, title: str) -> str:
    return gettext("Open %(num)d. %(title)s", num=number, title=title)


def my_events() -> str:
    return gettext("Your upcoming events and applications:")


def no_my_events() -> str:
    return gettext("You have no upcoming events or applications.")


def my_role(role: str) -> str:
    roles = {
        "organiser": gettext("you organise it"),
        "joined": gettext("you are in"),
        "pending": gettext("application sent"),
        "waitlisted": gettext("on the waitlist"),
        "rejected": gettext("application declined"),
    }
    return roles.get(role, role)


def applications() -> str:
    return gettext("Applications waiting for your decision:")


def no_applications() -> str:
    return gettext("No applications wait for your decision.")


def application_line(number: int, name: str, title: str, when: str) -> str:
    return gettext(
        "%(num)d. %(name)s → %(title)s, %(when)s", num=number, name=name, title=title, when=when
    )


def applicant_profile(city: str | None, level: str, sports: str, about: str) -> str:
    parts = []
    if city:
        parts.append(gettext("City: %(city)s", city=city))
    parts.append(gettext("Level: %(level)s", level=level))
    if sports:
        parts.append(gettext("Sports: %(sports)s", sports=sports))
    if about:
        parts.append(gettext("About: %(about)s", about=about))
    return "; ".join(parts)


def applicant_message(message: str) -> str:
    return gettext("Message: %(message)s", message=message)


def approve_numbered(number: int) -> str:
    return gettext("✅ Approve %(num)d", num=number)


def reject_numbered(number: int) -> str:
    return gettext("❌ Reject %(num)d", num=number)
