"""Broadcast rules: who may send, what may be sent, to whom, how fast, and what became of it.

* Only admins compose, count, test, send, read and cancel (`require_admin`).
* The text is Telegram HTML, checked as Telegram would read it (`telegram_html`) before
  anything is queued; the optional button opens a page of the Mini App (`web_app`).
* An audience is one of: everyone, a role, an event's participants, executors subscribed to
  a category and a city (their frequency not `off`), users of a language. Recipients are
  live, not banned users with a Telegram chat.
* Sending stores the broadcast, preparing, with the audience's count; after the commit a
  background job (`jobs.broadcasts.prepare_broadcasts`, started by the commit and swept
  every minute; RQ with Redis, a thread of this process without) queues one outbox row per
  recipient set-based (`queue_selected`: INSERT … SELECT, nothing read into Python), in
  chunks of `CHUNK` that come due `CHUNK / PACE` seconds apart: the one sender (30 messages
  a second) delivers the broadcast at `PACE` a second and keeps the rest of its capacity
  for the app's own messages (a reminder queued during a broadcast waits for at most one
  chunk, not for the whole audience). The web request that sends neither queues a
  million rows nor waits for delivery. Preparing is exactly-once: the broadcast's row is
  locked (SKIP LOCKED: one worker prepares it), `queued_at` is set once, and each
  recipient's message has its dedupe key (queueing again adds nothing).
* The report groups the broadcast's outbox rows by status; the achieved rate is the sent
  messages per second between the first and the last. Cancelling marks the pending rows
  `cancelled` (the sender only ever sends pending rows).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from webapp.admin.audit import record
from webapp.admin.broadcasts import telegram_html
from webapp.admin.broadcasts.models import Broadcast
from webapp.database import utcnow
from webapp.errors import Conflict, NotFound, ValidationFailed, field_error
from webapp.events.models import Event, Participant
from webapp.extensions import db
from webapp.market.cities import resolve_city
from webapp.market.config import settings as market_settings
from webapp.market.models import Frequency, Preferences
from webapp.outbox import MessageStatus, OutgoingMessage, queue_message, queue_selected
from webapp.pagination import Page, paginate
from webapp.users import services as users
from webapp.users.models import Role, User
from webapp.users.roles import require_admin

CHUNK = 500  # recipients queued with one due time
PACE = 25.0  # broadcast messages a second (the sender's limit is 30)
PARSE_MODE = "HTML"
REFUSED_PATHS = ("/api", "/admin", "/static", "/bot", "/health")
NOT_ALLOWED = _l("Only admins send broadcasts.")
HISTORY = 20  # messages shown on a user's page
PREPARE_MARK = "hub_broadcast_to_prepare"


@dataclass(frozen=True)
class Audience:
    """Exactly one kind is set (category and city go together)."""

    all: bool = False
    role: Role | None = None
    event_id: int | None = None
    category: str | None = None
    city: int | str | None = None  # a GeoNames id or a name the city directory knows
    language: str | None = None
    city_id: int | None = None  # `city` resolved (`check_audience`)

    def as_json(self) -> dict[str, Any]:
        if self.all:
            return {"all": True}
        if self.role is not None:
            return {"role": self.role.value}
        if self.event_id is not None:
            return {"event_id": self.event_id}
        if self.category is not None:
            return {"category": self.category, "city": self.city, "city_id": self.city_id}
        return {"language": self.language}


@dataclass(frozen=True)
class Button:
    path: str
    text: str | None = None


@dataclass(frozen=True)
class Report:
    broadcast: Broadcast
    queued: int  # waiting to be sent
    sent: int
    blocked: int
    failed: int
    cancelled: int
    first_sent_at: datetime | None
    last_sent_at: datetime | None

    @property
    def id(self) -> int:
        return self.broadcast.id

    @property
    def recipients(self) -> int:
        return self.broadcast.recipients

    @property
    def state(self) -> str:
        if self.broadcast.cancelled_at is not None:
            return "cancelled"
        if self.broadcast.queued_at is None:
            return "preparing"
        return "sending" if self.queued else "done"

    @property
    def rate(self) -> float | None:
        """Messages a second the broadcast was delivered at (None before two were sent)."""
        if self.sent < 2 or self.first_sent_at is None or self.last_sent_at is None:
            return None
        seconds = (self.last_sent_at - self.first_sent_at).total_seconds()
        return round((self.sent - 1) / seconds, 2) if seconds > 0 else None

    @property
    def can_cancel(self) -> bool:
        return self.state in ("preparing", "sending")


def _invalid(field: str, message: Any) -> ValidationFailed:
    return ValidationFailed(
        _l("Some fields are missing or invalid."), errors=[field_error(field, message)]
    )


# --- what is sent ------------------------------------------------------------------------


def check_text(text: str) -> str:
    """The text as given, or a 422 on `text` saying what Telegram would refuse."""
    found = telegram_html.problems(text)
    if found:
        raise _invalid("text", " ".join(found))
    return text


def check_button(button: Button | None) -> Button | None:
    """A button opens a page of the Mini App: a path the app serves, not the API or here."""
    if button is None:
        return None
    path = button.path
    refused = (
        not path.startswith("/")
        or path.startswith("//")
        or any(path == p or path.startswith(p + "/") for p in REFUSED_PATHS)
    )
    if not refused:
        adapter = current_app.url_map.bind("localhost")
        try:
            adapter.match(path.split("?")[0], method="GET")
        except RequestRedirect:
            pass  # the page with a trailing slash
        except HTTPException:
            refused = True
    if refused:
        raise _invalid("button.path", _l("No such page in the Mini App."))
    if button.text is not None and not button.text.strip():
        raise _invalid("button.text", _l("The button needs a label."))
    return button


def _reply_markup(button: Button | None, language: str) -> dict[str, Any] | None:
    if button is None:
        return None
    url = urljoin(current_app.config["WEBAPP_URL"], button.path.lstrip("/"))
    with force_locale(language):
        label = button.text.strip() if button.text else _("Open the app")
    return {"inline_keyboard": [[{"text": label, "web_app": {"url": url}}]]}


# --- who it is for ------------------------------------------------------------------------


def _language_code(column: Any) -> ColumnElement[Any]:
    """`ru-RU` → `ru` for the supported languages, else NULL (as `supported_locale`)."""
    lowered = func.lower(column)
    whens = [
        (or_(lowered == code, lowered.like(f"{code}-%")), literal(code, String))
        for code in current_app.config["LANGUAGES"]
    ]
    return case(*whens, else_=None)


def language_of_user() -> ColumnElement[Any]:
    """The language the app speaks to a user outside a request (`user_locale`), in SQL."""
    return func.coalesce(
        _language_code(User.locale),
        _language_code(User.language_code),
        literal(current_app.config["BABEL_DEFAULT_LOCALE"], String),
    )


def _json_list_has(column: Any, value: str | int) -> ColumnElement[bool]:
    """Whether the JSON list in `column` holds `value`."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(column, JSONB).contains(cast(literal(json.dumps([value])), JSONB))
    items = func.json_each(column).table_valued("value").alias("item")
    return exists(select(literal(1)).select_from(items).where(items.c.value == value))


def check_audience(audience: Audience) -> Audience:
    """The audience with its city resolved; a 422 on the field that names something that
    does not exist."""
    if audience.event_id is not None and db.session.get(Event, audience.event_id) is None:
        raise _invalid("audience.event_id", _l("No such event."))
    if audience.category is not None:
        config = market_settings()
        if audience.category not in config.categories:
            raise _invalid("audience.category", _l("Unknown category."))
        city = resolve_city(audience.city) if audience.city is not None else None
        if city is None:
            raise _invalid("audience.city", _l("Unknown city."))
        audience = replace(audience, city_id=city.id)
    if audience.language is not None and audience.language not in current_app.config["LANGUAGES"]:
        raise _invalid("audience.language", _l("Unknown language."))
    return audience


def _conditions(audience: Audience) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        User.telegram_id.is_not(None),
        User.is_banned.is_(False),
        User.deleted_at.is_(None),
    ]
    if audience.role is not None:
        conditions.append(User.role == audience.role)
    elif audience.event_id is not None:
        conditions.append(
            exists(
                select(Participant.id).where(
                    Participant.event_id == audience.event_id, Participant.user_id == User.id
                )
            )
        )
    elif audience.category is not None and audience.city_id is not None:
        conditions.append(
            exists(
                select(Preferences.user_id).where(
                    Preferences.user_id == User.id,
                    Preferences.frequency != Frequency.OFF,
                    _json_list_has(Preferences.categories, audience.category),
                    _json_list_has(Preferences.city_ids, audience.city_id),
                )
            )
        )
    elif audience.language is not None:
        conditions.append(language_of_user() == audience.language)
    return conditions


def count_recipients(actor: User, audience: Audience) -> int:
    """How many people a broadcast to `audience` would reach now."""
    require_admin(actor, NOT_ALLOWED)
    audience = check_audience(audience)
    query = select(func.count()).select_from(User).where(*_conditions(audience))
    return int(db.session.scalar(query) or 0)


# --- sending ------------------------------------------------------------------------------


def send_test(actor: User, text: str, button: Button | None) -> None:
    """Send the message to the admin themselves (their own Telegram chat) first."""
    require_admin(actor, NOT_ALLOWED)
    check_text(text)
    check_button(button)
    if actor.telegram_id is None:
        raise Conflict(_l("Your account has no Telegram chat to send a test to."))
    language = current_app.config["BABEL_DEFAULT_LOCALE"]
    if actor.locale or actor.language_code:
        language = str(db.session.scalar(select(language_of_user()).where(User.id == actor.id)))
    queue_message(
        actor.telegram_id,
        text,
        reply_markup=_reply_markup(button, language),
        parse_mode=PARSE_MODE,
    )


def create_broadcast(
    actor: User, text: str, audience: Audience, button: Button | None = None
) -> Broadcast:
    """Queue the message to everyone in `audience` (paced, see the module) and log it."""
    require_admin(actor, NOT_ALLOWED)
    check_text(text)
    check_button(button)
    audience = check_audience(audience)
    broadcast = Broadcast(
        author_id=actor.id,
        text=text,
        audience=audience.as_json(),
        button={"path": button.path, "text": button.text} if button else None,
        recipients=0,
        created_at=utcnow(),
    )
    broadcast.recipients = int(
        db.session.scalar(select(func.count()).select_from(User).where(*_conditions(audience))) or 0
    )
    db.session.add(broadcast)
    db.session.flush()
    record(actor, "broadcast.send", broadcast, None, _describe(broadcast))
    db.session.info[PREPARE_MARK] = True  # the commit starts the job that queues it
    return broadcast


def take_prepare_mark(session: Session) -> bool:
    """Whether `session` made a broadcast since its last commit or rollback; clears the
    mark (the jobs' after-commit hook starts the preparing job when it was set)."""
    return bool(session.info.pop(PREPARE_MARK, False))


def preparing_broadcasts() -> list[int]:
    """The ids of the broadcasts whose messages are not queued yet, oldest first."""
    return list(
        db.session.scalars(
            select(Broadcast.id).where(Broadcast.queued_at.is_(None)).order_by(Broadcast.id)
        )
    )


def prepare_broadcast(broadcast_id: int) -> int:
    """Queue a preparing broadcast's messages (a job's work); how many were queued.

    Exactly-once: the row is locked first (another worker preparing it skips it), a
    broadcast already queued is left alone, and every message has its dedupe key, so a
    retry after a crash adds only what is missing. A broadcast cancelled while preparing
    queues nothing. `recipients` becomes the count of messages actually queued.
    """
    broadcast = db.session.scalars(
        select(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.queued_at.is_(None))
        .with_for_update(skip_locked=True, of=Broadcast)  # not the joined author
        .execution_options(populate_existing=True)
    ).first()
    if broadcast is None:
        return 0
    queued = 0
    if broadcast.cancelled_at is None:
        audience = _audience_of(broadcast.audience)
        button = Button(**broadcast.button) if broadcast.button else None
        queued = _queue(broadcast, audience, button)
        broadcast.recipients = int(
            db.session.scalar(
                select(func.count())
                .select_from(OutgoingMessage)
                .where(OutgoingMessage.broadcast_id == broadcast.id)
            )
            or 0
        )
    broadcast.queued_at = utcnow()
    db.session.flush()
    return queued


def _audience_of(stored: dict[str, Any]) -> Audience:
    """The audience a broadcast stored (`Audience.as_json`)."""
    values = dict(stored)
    if values.get("role") is not None:
        values["role"] = Role(values["role"])
    return Audience(**values)


def _chunk_bounds(conditions: list[ColumnElement[bool]]) -> list[int]:
    """The user id ending each full chunk of recipients (in id order), set-based."""
    numbered = (
        select(User.id.label("uid"), func.row_number().over(order_by=User.id).label("n"))
        .where(*conditions)
        .subquery()
    )
    return list(
        db.session.scalars(
            select(numbered.c.uid).where(numbered.c.n % CHUNK == 0).order_by(numbered.c.uid)
        )
    )


def _queue(broadcast: Broadcast, audience: Audience, button: Button | None) -> int:
    conditions = _conditions(audience)
    bounds = _chunk_bounds(conditions)
    ranges = list(zip([0, *bounds], [*bounds, None], strict=True))
    languages = list(current_app.config["LANGUAGES"]) if button else [None]
    dedupe = literal(f"broadcast:{broadcast.id}:", String) + cast(User.id, String)
    start = utcnow()
    queued = 0
    for index, (after, upto) in enumerate(ranges):
        due = start + timedelta(seconds=index * CHUNK / PACE)
        in_chunk = [User.id > after] + ([User.id <= upto] if upto is not None else [])
        for language in languages:
            where = [*conditions, *in_chunk]
            if language is not None:
                where.append(language_of_user() == language)
            recipients = select(
                User.telegram_id.label("chat_id"), dedupe.label("dedupe_key")
            ).where(and_(*where))
            queued += queue_selected(
                recipients,
                broadcast.text,
                reply_markup=_reply_markup(button, language or "en"),
                parse_mode=PARSE_MODE,
                due_at=due,
                broadcast_id=broadcast.id,
            )
    return queued


def _describe(broadcast: Broadcast) -> dict[str, Any]:
    return {
        "text": broadcast.text,
        "audience": broadcast.audience,
        "button": broadcast.button,
        "recipients": broadcast.recipients,
        "cancelled_at": broadcast.cancelled_at,
    }


# --- what became of it ---------------------------------------------------------------------


def get_broadcast(actor: User, broadcast_id: int) -> Broadcast:
    require_admin(actor, NOT_ALLOWED)
    broadcast = db.session.get(Broadcast, broadcast_id)
    if broadcast is None:
        raise NotFound(_l("No such broadcast."))
    return broadcast


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    # A SQLite aggregate is text: the column type is not applied to it.
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def report(actor: User, broadcast_id: int) -> Report:
    """The broadcast's delivery so far: one GROUP BY over its outbox rows."""
    broadcast = get_broadcast(actor, broadcast_id)
    rows = db.session.execute(
        select(
            OutgoingMessage.status,
            func.count(),
            func.min(OutgoingMessage.sent_at),
            func.max(OutgoingMessage.sent_at),
        )
        .where(OutgoingMessage.broadcast_id == broadcast.id)
        .group_by(OutgoingMessage.status)
    ).all()
    counts = {MessageStatus(status): int(count) for status, count, _first, _last in rows}
    sent = next((row for row in rows if MessageStatus(row[0]) is MessageStatus.SENT), None)
    return Report(
        broadcast=broadcast,
        queued=counts.get(MessageStatus.PENDING, 0),
        sent=counts.get(MessageStatus.SENT, 0),
        blocked=counts.get(MessageStatus.BLOCKED, 0),
        failed=counts.get(MessageStatus.FAILED, 0),
        cancelled=counts.get(MessageStatus.CANCELLED, 0),
        first_sent_at=_aware(sent[2]) if sent else None,
        last_sent_at=_aware(sent[3]) if sent else None,
    )


def cancel(actor: User, broadcast_id: int) -> Broadcast:
    """Withdraw what is not sent yet (a 409 once everything was delivered); a broadcast
    still preparing queues nothing."""
    get_broadcast(actor, broadcast_id)
    # Locked, so a job preparing it finishes first (its messages are then withdrawn here)
    # or sees the cancellation and queues nothing.
    broadcast = db.session.scalars(
        select(Broadcast)
        .where(Broadcast.id == broadcast_id)
        .with_for_update(of=Broadcast)
        .execution_options(populate_existing=True)
    ).one()
    if broadcast.cancelled_at is not None:
        return broadcast
    before = _describe(broadcast)
    if broadcast.queued_at is None:
        broadcast.cancelled_at = utcnow()
        db.session.flush()
        record(actor, "broadcast.cancel", broadcast, before, _describe(broadcast))
        return broadcast
    withdrawn = db.session.execute(
        update(OutgoingMessage)
        .where(
            OutgoingMessage.broadcast_id == broadcast.id,
            OutgoingMessage.status == MessageStatus.PENDING,
        )
        .values(status=MessageStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )
    if not int(getattr(withdrawn, "rowcount", 0) or 0):
        raise Conflict(_l("Everything was sent already: nothing to cancel."))
    broadcast.cancelled_at = utcnow()
    db.session.flush()
    record(actor, "broadcast.cancel", broadcast, before, _describe(broadcast))
    return broadcast


def list_broadcasts(actor: User, *, skip: int = 0, limit: int = 20) -> Page[Broadcast]:
    require_admin(actor, NOT_ALLOWED)
    return paginate(select(Broadcast), (Broadcast.id.desc(),), skip=skip, limit=limit)


# --- one person ----------------------------------------------------------------------------


def message_user(actor: User, user_id: int, text: str) -> User:
    """An admin's personal message to one user, through the outbox like any other."""
    require_admin(actor, _l("Only admins write to users."))
    check_text(text)
    user = users.get_user(user_id)
    if user.telegram_id is None:
        raise Conflict(_l("This user has no Telegram chat."))
    queue_message(user.telegram_id, text, parse_mode=PARSE_MODE)
    return user


def messages_to(actor: User, user: User) -> list[OutgoingMessage]:
    """The latest messages the bot queued for `user` (any feature's), newest first."""
    require_admin(actor, NOT_ALLOWED)
    if user.telegram_id is None:
        return []
    return list(
        db.session.scalars(
            select(OutgoingMessage)
            .where(OutgoingMessage.chat_id == user.telegram_id)
            .order_by(OutgoingMessage.id.desc())
            .limit(HISTORY)
        )
    )
