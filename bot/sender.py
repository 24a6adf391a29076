"""The one sender: delivers the outbox under Telegram's limits, exactly as queued.

* Trigger: `webapp.outbox.queue_message` marks the session; after that session commits, one
  delivery job is enqueued (`jobs.bot`, which installs that hook: this module enqueues
  nothing), coalesced so a burst of commits starts one job. A periodic sweep picks up
  whatever is left (retries, a crashed worker's leased rows). `BOT_DELIVERY=off` (the
  testing default) skips the trigger.
* Claim: one statement leases a batch of due rows (`next_attempt_at` pushed forward by
  `LEASE`) — `FOR UPDATE SKIP LOCKED` on PostgreSQL, so two workers never claim the same row;
  SQLite has one writer. No lock is held while the HTTP call runs; a worker that dies
  mid-batch leaves leased rows that come due again when the lease ends.
* Limits: `bot.ratelimit` (global, per chat, per group, shared through Redis). A short wait is
  slept; a longer one (the chat's next slot) puts the row back with that due time, so one busy
  chat never stalls the others.
* Outcomes: 200 → sent; 403 → the chat is blocked (this and its pending messages, and every
  later one, until the user writes again); 429 → all sending pauses for `retry_after`, the row
  waits as long; 5xx, timeouts, network errors → retried with exponential backoff up to
  `MAX_ATTEMPTS`, then failed (kept with its error, never silently dropped); other 4xx →
  failed at once (the request itself is wrong).
* Time: every wait, deadline and due time is read from a `Clock` (the system's by default), so
  a test can run the sender on a fake one and check the limits without waiting for them.
"""

from __future__ import annotations

import enum
import logging
import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from flask import Flask
from sqlalchemy import Row, func, select, update

from bot.models import BlockedChat
from bot.ratelimit import RateLimiter, rate_limiter
from webapp.database import insert_ignoring_conflicts, utcnow
from webapp.extensions import db
from webapp.outbox import MessageStatus, OutgoingMessage

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)  # longer than one HTTP call with its timeouts
BATCH = 10
HORIZON = 5.0  # a delivery run waits for rows due within this many seconds
SHORT_WAIT = 0.25  # waits up to this long are slept; longer ones put the row back
MAX_ATTEMPTS = 10  # transient failures before a message is marked failed (~1 h of backoff)
MAX_BACKOFF = 900.0
HTTP_TIMEOUT = (3.05, 15.0)


class Result(enum.Enum):
    SENT = "sent"
    BLOCKED = "blocked"
    RETRY_AFTER = "retry_after"
    TRANSIENT = "transient"
    PERMANENT = "permanent"


@dataclass(frozen=True)
class Outcome:
    result: Result
    retry_after: float = 0.0
    error: str | None = None


class BotApi:
    """`sendMessage` over HTTP to `TELEGRAM_API_URL`, its answer classified.

    One instance per thread (a `requests.Session` is not shared across threads).
    """

    def __init__(self, base_url: str, token: str) -> None:
        self._url = f"{base_url.rstrip('/')}/bot{token}/sendMessage"
        self._token = token
        self._http = requests.Session()

    def close(self) -> None:
        self._http.close()

    def send_message(
        self,
        chat_id: int,
        text: str,
        reply_markup: dict[str, Any] | None = None,
        parse_mode: str | None = None,
    ) -> Outcome:
        payload: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if reply_markup:
            payload["reply_markup"] = reply_markup
        if parse_mode:
            payload["parse_mode"] = parse_mode
        try:
            response = self._http.post(self._url, json=payload, timeout=HTTP_TIMEOUT)
        except requests.RequestException as exc:
            # The exception names the URL, and the URL holds the token: never store that.
            message = f"{type(exc).__name__}: {exc}".replace(self._token, "<token>")
            return Outcome(Result.TRANSIENT, error=message[:500])
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code == 200 and body.get("ok"):
            return Outcome(Result.SENT)
        code = int(body.get("error_code") or response.status_code)
        error = f"{code} {body.get('description') or response.reason}"[:500]
        if code == 429:
            retry_after = (body.get("parameters") or {}).get("retry_after")
            return Outcome(Result.RETRY_AFTER, float(retry_after or 1), error)
        if code == 403:
            return Outcome(Result.BLOCKED, error=error)
        if code >= 500 or code in (408, 409):
            return Outcome(Result.TRANSIENT, error=error)
        return Outcome(Result.PERMANENT, error=error)


class Clock:
    """The sender's time: the system's. A test passes a fake one whose `sleep` only advances
    it (with a `LocalRateLimiter` and a fake Bot API that read the same time)."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def now(self) -> datetime:
        return utcnow()


SYSTEM_CLOCK = Clock()


# --- delivering ---------------------------------------------------------------------------


def deliver(
    app: Flask,
    *,
    budget: float | None = None,
    hand_over: Callable[[Flask], None] | None = None,
    clock: Clock = SYSTEM_CLOCK,
    limiter: RateLimiter | None = None,
) -> int:
    """Send every due message (and those coming due within `HORIZON`); return how many were
    sent. Runs `BOT_SENDER_THREADS` senders (one on SQLite) for at most `budget` seconds,
    under the app's rate limiter unless given another; out of budget with messages still
    due, calls `hand_over(app)` (the job starts another)."""
    token = app.config.get("TELEGRAM_BOT_TOKEN")
    if not token:
        return 0
    limiter = rate_limiter(app) if limiter is None else limiter
    budget = float(app.config.get("BOT_DELIVERY_BUDGET", 50.0) if budget is None else budget)
    deadline = clock.monotonic() + budget
    sqlite = str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite")
    threads = 1 if sqlite else max(1, int(app.config.get("BOT_SENDER_THREADS", 4)))

    def run() -> int:
        api = BotApi(app.config["TELEGRAM_API_URL"], token)
        try:
            with app.app_context():
                return _deliver_loop(limiter, api, deadline, clock)
        finally:
            api.close()

    if threads == 1:
        sent = run()
    else:
        with ThreadPoolExecutor(threads, thread_name_prefix="bot-sender") as pool:
            sent = sum(f.result() for f in [pool.submit(run) for _ in range(threads)])
    out_of_time = clock.monotonic() >= deadline
    if hand_over is not None and out_of_time and not app.config.get("JOBS_INLINE"):
        with app.app_context():
            waiting = seconds_until_next_due(clock.now())
            if waiting is not None and waiting <= HORIZON:
                hand_over(app)  # out of budget with work left: a new run takes over
    return sent


def _deliver_loop(limiter: RateLimiter, api: BotApi, deadline: float, clock: Clock) -> int:
    sent = 0
    while clock.monotonic() < deadline:
        batch = claim_due(BATCH, clock.now())
        if not batch:
            waiting = seconds_until_next_due(clock.now())
            if waiting is None or waiting > HORIZON:
                break
            clock.sleep(min(max(waiting, 0.005), max(deadline - clock.monotonic(), 0)))
            continue
        for row in batch:
            if clock.monotonic() >= deadline:
                _put_back(row.id, 0.0, clock.now())
                continue
            wait = _take_slot(limiter, row.chat_id, clock)
            if wait > 0:
                _put_back(row.id, wait, clock.now())
                continue
            outcome = api.send_message(row.chat_id, row.text, row.reply_markup, row.parse_mode)
            record_outcome(row, outcome, limiter, clock.now())
            sent += outcome.result is Result.SENT
    return sent


def _take_slot(limiter: RateLimiter, chat_id: int, clock: Clock) -> float:
    """0 once a slot is taken; otherwise the (long) wait after which to try again."""
    while True:
        wait = limiter.acquire(chat_id)
        if wait <= 0:
            return 0.0
        if wait > SHORT_WAIT:
            return wait
        clock.sleep(wait)


def claim_due(limit: int, now: datetime | None = None) -> Sequence[Row[Any]]:
    """Lease up to `limit` messages due at `now` to this sender and commit the lease."""
    now = utcnow() if now is None else now
    due = (
        select(OutgoingMessage.id)
        .where(OutgoingMessage.status == MessageStatus.PENDING)
        .where(OutgoingMessage.next_attempt_at <= now)
        .order_by(OutgoingMessage.next_attempt_at, OutgoingMessage.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    rows = db.session.execute(
        update(OutgoingMessage)
        .where(OutgoingMessage.id.in_(due.scalar_subquery()))
        .values(next_attempt_at=now + LEASE)
        .returning(
            OutgoingMessage.id,
            OutgoingMessage.chat_id,
            OutgoingMessage.text,
            OutgoingMessage.reply_markup,
            OutgoingMessage.parse_mode,
            OutgoingMessage.attempts,
        )
        .execution_options(synchronize_session=False)
    ).all()
    rows = sorted(rows, key=lambda r: r.id)
    blocked = set()
    if rows:
        blocked = set(
            db.session.scalars(
                select(BlockedChat.chat_id).where(
                    BlockedChat.chat_id.in_({r.chat_id for r in rows})
                )
            )
        )
        if blocked:
            _update(
                [r.id for r in rows if r.chat_id in blocked],
                status=MessageStatus.BLOCKED,
                last_error="403 the user blocked the bot",
            )
    db.session.commit()
    return [r for r in rows if r.chat_id not in blocked]


def seconds_until_next_due(now: datetime | None = None) -> float | None:
    """Seconds from `now` until the earliest pending message comes due (negative: overdue)."""
    earliest = db.session.scalar(
        select(func.min(OutgoingMessage.next_attempt_at)).where(
            OutgoingMessage.status == MessageStatus.PENDING
        )
    )
    db.session.commit()
    if earliest is None:
        return None
    if earliest.tzinfo is None:  # SQLite aggregate: the column type is not applied
        earliest = datetime.fromisoformat(str(earliest)).replace(tzinfo=UTC)
    return (earliest - (utcnow() if now is None else now)).total_seconds()


def record_outcome(
    row: Row[Any], outcome: Outcome, limiter: RateLimiter, now: datetime | None = None
) -> None:
    """Store what Telegram answered for one message (and pause or block as it says)."""
    now = utcnow() if now is None else now
    result = outcome.result
    if result is Result.SENT:
        _update([row.id], status=MessageStatus.SENT, sent_at=now, attempts=row.attempts + 1)
    elif result is Result.BLOCKED:
        _update([row.id], status=MessageStatus.BLOCKED, attempts=row.attempts + 1)
        db.session.execute(insert_ignoring_conflicts(BlockedChat, db.session, chat_id=row.chat_id))
        db.session.execute(
            update(OutgoingMessage)
            .where(OutgoingMessage.chat_id == row.chat_id)
            .where(OutgoingMessage.status == MessageStatus.PENDING)
            .values(status=MessageStatus.BLOCKED, last_error=outcome.error)
            .execution_options(synchronize_session=False)
        )
    elif result is Result.RETRY_AFTER:
        limiter.pause(outcome.retry_after)
        _update(
            [row.id],
            next_attempt_at=now + timedelta(seconds=outcome.retry_after),
            last_error=outcome.error,
        )
    elif result is Result.TRANSIENT and row.attempts + 1 < MAX_ATTEMPTS:
        delay = min(MAX_BACKOFF, 2.0 ** (row.attempts + 1)) * random.uniform(0.8, 1.2)
        _update(
            [row.id],
            attempts=row.attempts + 1,
            next_attempt_at=now + timedelta(seconds=delay),
            last_error=outcome.error,
        )
    else:
        log.warning("message %s failed: %s", row.id, outcome.error)
        _update(
            [row.id],
            status=MessageStatus.FAILED,
            attempts=row.attempts + 1,
            last_error=outcome.error,
        )
    db.session.commit()


def _put_back(message_id: int, wait: float, now: datetime) -> None:
    _update([message_id], next_attempt_at=now + timedelta(seconds=wait))
    db.session.commit()


def _update(ids: list[int], **values: Any) -> None:
    if ids:
        db.session.execute(
            update(OutgoingMessage)
            .where(OutgoingMessage.id.in_(ids))
            .where(OutgoingMessage.status == MessageStatus.PENDING)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def unblock_chat(chat_id: int) -> None:
    """The user wrote to the bot again: messages to them may be sent (caller commits)."""
    db.session.execute(
        BlockedChat.__table__.delete().where(BlockedChat.__table__.c.chat_id == chat_id)
    )
