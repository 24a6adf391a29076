"""The everyday commands of events (issue 11), in the user's language and local time:

* `/events` — upcoming events in the city of the user's profile (everywhere when it names
  none), each with an "Open" button into the Mini App;
* `/my` — the user's upcoming events: organised, joined, applied to, waitlisted;
* `/applications` — applications waiting for the user's decision as an organiser, with
  Approve and Reject buttons: the same callback data as under the application message
  (`webapp.events.notify`), handled by `bot/handlers/events.py`.

Each answer is one message, queued inside the webhook's unit of work, which handles each
update once (a redelivered command is not answered twice).
"""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale
from sqlalchemy import select
from telebot import TeleBot
from telebot.types import Message

from webapp import bot_texts
from webapp.events import digests, notify
from webapp.events.models import Event
from webapp.events.services import event_link
from webapp.events.sports import sport_names
from webapp.extensions import db
from webapp.i18n import local_datetime, user_locale, user_zone
from webapp.outbox import queue_message
from webapp.users.models import User
from webapp.users.profile import level_name
from webapp.users.services import profile_of

TITLE_IN_BUTTON = 40


def register(bot: TeleBot) -> None:
    bot.register_message_handler(events_command, commands=["events"])
    bot.register_message_handler(my_command, commands=["my"])
    bot.register_message_handler(applications_command, commands=["applications"])


def _user(message: Message) -> User | None:
    if message.from_user is None:
        return None
    return db.session.scalars(
        select(User).where(User.telegram_id == message.from_user.id, User.deleted_at.is_(None))
    ).first()


def _reply(message: Message, text: str, markup: dict[str, Any] | None = None) -> None:
    queue_message(message.chat.id, text, reply_markup=markup)


def _answer(message: Message, build: Any) -> None:
    """Answer as the signed-up user (in their language), or ask them to open the app."""
    user = _user(message)
    with force_locale(user_locale(user or message.from_user)):
        if user is None:
            text, markup = bot_texts.sign_up_first(), None
        else:
            text, markup = build(user)
    _reply(message, text, markup)


def _when(event: Event, user: User) -> str:
    return local_datetime(event.starts_at, user_zone(user))


def _open_buttons(events: list[Event]) -> dict[str, Any] | None:
    rows = [
        [
            {
                "text": bot_texts.open_event(number, event.title[:TITLE_IN_BUTTON]),
                "web_app": {"url": event_link(event.id)},
            }
        ]
        for number, event in enumerate(events, start=1)
    ]
    return {"inline_keyboard": rows} if rows else None


def events_command(message: Message) -> None:
    _answer(message, _events_text)


def _events_text(user: User) -> tuple[str, dict[str, Any] | None]:
    events, by_city = digests.upcoming_near(user)
    city = profile_of(user).city
    city_name = city.name(user_locale(user)) if city is not None else ""
    if not events:
        return (bot_texts.no_events_near(city_name) if by_city else bot_texts.no_events()), None
    header = bot_texts.events_near(city_name) if by_city else bot_texts.events_everywhere()
    lines = [
        bot_texts.event_line(number, event.title, _when(event, user), event.location)
        for number, event in enumerate(events, start=1)
    ]
    return "\n".join([header, *lines]), _open_buttons(events)


def my_command(message: Message) -> None:
    _answer(message, _my_text)


def _my_text(user: User) -> tuple[str, dict[str, Any] | None]:
    items = digests.my_events(user)
    if not items:
        return bot_texts.no_my_events(), None
    lines = [
        bot_texts.event_line(number, item.event.title, _when(item.event, user), "")
        + f" · {bot_texts.my_role(item.role)}"
        for number, item in enumerate(items, start=1)
    ]
    text = "\n".join([bot_texts.my_events(), *lines])
    return text, _open_buttons([item.event for item in items])


def applications_command(message: Message) -> None:
    _answer(message, _applications_text)


def _applications_text(user: User) -> tuple[str, dict[str, Any] | None]:
    waiting = digests.awaiting_decision(user)
    if not waiting:
        return bot_texts.no_applications(), None
    language = user_locale(user)
    names = sport_names(language)
    lines, rows = [bot_texts.applications()], []
    for number, item in enumerate(waiting, start=1):
        applicant = item.applicant
        name = applicant.display_name + (f" @{applicant.username}" if applicant.username else "")
        lines.append(
            bot_texts.application_line(number, name, item.event.title, _when(item.event, user))
        )
        profile = profile_of(applicant)
        lines.append(
            "   "
            + bot_texts.applicant_profile(
                profile.city.name(language) if profile.city else None,
                level_name(profile.level, language),
                ", ".join(names.get(key, key) for key in profile.sports),
                profile.about,
            )
        )
        if item.message:
            lines.append("   " + bot_texts.applicant_message(item.message))
        data = f"{item.event.id}:{applicant.id}"
        rows.append(
            [
                {
                    "text": bot_texts.approve_numbered(number),
                    "callback_data": f"{notify.CALLBACK_PREFIX}:approve:{data}",
                },
                {
                    "text": bot_texts.reject_numbered(number),
                    "callback_data": f"{notify.CALLBACK_PREFIX}:reject:{data}",
                },
            ]
        )
    return "\n".join(lines), {"inline_keyboard": rows}
