"""What the bot tells people about events, each message once (an outbox `dedupe_key`).

* The organiser, of each application: who, their message, Approve and Reject buttons
  (callback data `event:approve:<event>:<user>` / `event:reject:<event>:<user>`, handled by
  `bot.handlers.events`). Key `event-application:<request id>`.
* The applicant, of the decision: approved (with the organiser's contact: their
  @username, or a `tg://user?id=` link), approved onto the waitlist, or declined (with the
  reason). Key `event-decision:<request id>:<decision>`.
* Someone from the waitlist, of the seat they took. Key `event-seat:<participant id>`.
* Everyone in or applying, of a change of time or place or a cancellation. Key
  `event-change:<event id>:<version>:<user id>` — the version rises with each change.

Texts are in the recipient's language and times in their zone. Users without a Telegram
chat get nothing.
"""

from __future__ import annotations

from html import escape
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from webapp.events.models import Event, EventRequest
from webapp.i18n import local_datetime, user_locale, user_zone
from webapp.outbox import queue_message
from webapp.users.models import User

CALLBACK_PREFIX = "event"


def event_link(event_id: int) -> str:
    """The Mini App URL that opens this event (the shell routes `startapp=event_<id>`)."""
    base = current_app.config["WEBAPP_URL"].rstrip("/")
    return f"{base}/?startapp=event_{event_id}"


def _open_button(event: Event) -> list[dict[str, Any]]:
    return [{"text": _("Open the event"), "web_app": {"url": event_link(event.id)}}]


def _when(event: Event, user: User) -> str:
    return local_datetime(event.starts_at, user_zone(user))


def contact_html(user: User) -> str:
    """The organiser's contact for a chat message: @username, or a link to their profile."""
    if user.username:
        return "@" + escape(user.username)
    name = escape(user.display_name or str(user.telegram_id))
    return f'<a href="tg://user?id={user.telegram_id}">{name}</a>'


def contact_url(user: User) -> str | None:
    """The organiser's contact as a link the Mini App can open."""
    if user.username:
        return f"https://t.me/{user.username}"
    if user.telegram_id:
        return f"tg://user?id={user.telegram_id}"
    return None


def _send(user: User, text: str, key: str, markup: dict[str, Any] | None = None) -> bool:
    if not user.telegram_id or user.deleted_at is not None:
        return False
    return queue_message(
        chat_id=user.telegram_id, text=text, reply_markup=markup, parse_mode="HTML", dedupe_key=key
    )


def application_to_organiser(
    event: Event, organiser: User, applicant: User, request: EventRequest
) -> bool:
    with force_locale(user_locale(organiser)):
        text = _(
            "New application for “%(title)s” (%(when)s) from %(name)s.",
            title=escape(event.title),
            when=_when(event, organiser),
            name=contact_html(applicant),
        )
        if request.message:
            text += "\n\n" + escape(request.message)
        markup = {
            "inline_keyboard": [
                [
                    {
                        "text": _("Approve"),
                        "callback_data": f"{CALLBACK_PREFIX}:approve:{event.id}:{applicant.id}",
                    },
                    {
                        "text": _("Reject"),
                        "callback_data": f"{CALLBACK_PREFIX}:reject:{event.id}:{applicant.id}",
                    },
                ],
                _open_button(event),
            ]
        }
    return _send(organiser, text, f"event-application:{request.id}", markup)


def approved(event: Event, organiser: User, applicant: User, request_id: int) -> bool:
    with force_locale(user_locale(applicant)):
        text = _(
            "Your application was approved: you are in “%(title)s”, %(when)s.",
            title=escape(event.title),
            when=_when(event, applicant),
        )
        text += "\n" + _("The organiser: %(contact)s", contact=contact_html(organiser))
        markup = {"inline_keyboard": [_open_button(event)]}
    return _send(applicant, text, f"event-decision:{request_id}:approved", markup)


def approved_onto_waitlist(event: Event, applicant: User, request_id: int, position: int) -> bool:
    with force_locale(user_locale(applicant)):
        text = _(
            "Your application for “%(title)s” was approved, but the event is full: you are "
            "on the waitlist and will be told when a place frees up.",
            title=escape(event.title),
        )
        markup = {"inline_keyboard": [_open_button(event)]}
    return _send(applicant, text, f"event-decision:{request_id}:waitlisted", markup)


def rejected(event: Event, applicant: User, request_id: int, reason: str) -> bool:
    with force_locale(user_locale(applicant)):
        text = _("Your application for “%(title)s” was declined.", title=escape(event.title))
        if reason:
            text += "\n" + _("Reason: %(reason)s", reason=escape(reason))
    return _send(applicant, text, f"event-decision:{request_id}:rejected")


def seat_taken(event: Event, organiser: User, user: User, participant_id: int) -> bool:
    with force_locale(user_locale(user)):
        text = _(
            "A place freed up: you are in “%(title)s”, %(when)s.",
            title=escape(event.title),
            when=_when(event, user),
        )
        text += "\n" + _("The organiser: %(contact)s", contact=contact_html(organiser))
        markup = {"inline_keyboard": [_open_button(event)]}
    return _send(user, text, f"event-seat:{participant_id}", markup)


def changed(event: Event, user: User, what: str) -> bool:
    """`what`: "moved" (time or place changed) or "cancelled"."""
    with force_locale(user_locale(user)):
        if what == "cancelled":
            text = _(
                "“%(title)s” on %(when)s is cancelled.",
                title=escape(event.title),
                when=_when(event, user),
            )
        else:
            text = _(
                "“%(title)s” has changed: now %(when)s.",
                title=escape(event.title),
                when=_when(event, user),
            )
            if event.location:
                text += "\n" + _("Where: %(location)s", location=escape(event.location))
        markup = None if what == "cancelled" else {"inline_keyboard": [_open_button(event)]}
    return _send(user, text, f"event-change:{event.id}:{event.version}:{user.id}", markup)


def chat_answer(answer: str) -> str:
    """The notice over the organiser's chat after Approve or Reject was pressed
    (`services.ChatAnswer`), in the current locale."""
    answers = {
        "approved": _("Approved: they are in."),
        "waitlisted": _("Approved: the event is full, so they are on the waitlist."),
        "rejected": _("Declined."),
        "already": _("This application was already decided."),
        "refused": _("Only the organiser can decide on this application."),
    }
    return answers.get(answer) or _("This application is no longer there.")
