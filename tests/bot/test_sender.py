"""The sender: every queued message arrives once, within Telegram's limits, whatever it says.

The sender, its rate limiter and the fake Bot API keep time by one fake clock (`send_all`),
so the limits are checked to the millisecond without waiting for them; one test runs on real
time and the app's own limiter (shared through Redis when the suite has one).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.models import BlockedChat
from bot.ratelimit import Limits, LocalRateLimiter
from bot.sender import MAX_ATTEMPTS, BotApi, Result, deliver
from tests.fixtures.clock import FakeClock
from tests.fixtures.fake_telegram import bot_overrides
from webapp.database import utcnow
from webapp.extensions import db
from webapp.outbox import MessageStatus, OutgoingMessage, queue_message


@pytest.fixture
def app_overrides(fake_telegram):
    # Delivery stays off: each test queues, then runs the sender itself.
    return bot_overrides(fake_telegram, BOT_DELIVERY="off")


@pytest.fixture
def send_all(app, fake_telegram, fake_clock: FakeClock) -> Callable[..., int]:
    """`send_all(budget=None)`: one delivery run of the app's sender on the fake clock."""
    fake_telegram.reset(fake_clock.monotonic)
    limiter = LocalRateLimiter(Limits.from_config(app.config), fake_clock.monotonic)

    def run(budget: float | None = None, **options: Any) -> int:
        return deliver(app, budget=budget, clock=fake_clock, limiter=limiter, **options)

    return run


def queue(app, *messages):
    with app.app_context():
        for chat_id, text in messages:
            queue_message(chat_id, text)
        db.session.commit()


def statuses(app):
    with app.app_context():
        return {
            m.text: (m.status, m.attempts)
            for m in db.session.scalars(select(OutgoingMessage).order_by(OutgoingMessage.id))
        }


def make_due(app):
    with app.app_context():
        db.session.execute(update(OutgoingMessage).values(next_attempt_at=utcnow()))
        db.session.commit()


def test_300_messages_to_100_chats_arrive_once_within_the_limits(
    app, fake_telegram, send_all, fake_clock
):
    """Do 300 messages to 100 chats all arrive exactly once, without breaking a limit, at
    the limit's pace (30 a second) and not far below it?"""
    queue(app, *[(2000 + i % 100, f"m{i}") for i in range(300)])
    assert send_all() == 300
    texts = [p["text"] for p in fake_telegram.messages()]
    assert sorted(texts) == sorted(f"m{i}" for i in range(300))
    assert fake_telegram.violations == 0
    assert fake_telegram.early_retries == 0
    assert 9.9 < fake_clock.elapsed < 12.0  # fake seconds (299 intervals of 1/30 s)
    for chat in range(2000, 2100):  # each chat's messages in the order queued
        assert [p["text"] for p in fake_telegram.messages(chat)] == [
            f"m{i}" for i in range(300) if 2000 + i % 100 == chat
        ]
    assert {s for s, _ in statuses(app).values()} == {MessageStatus.SENT}


def test_one_chat_gets_one_message_per_second(app, fake_telegram, send_all):
    """Are three messages to one chat spaced a second apart (no burst used)?"""
    queue(app, (3001, "a"), (3001, "b"), (3001, "c"))
    assert send_all() == 3
    times = [c.at for c in fake_telegram.calls("sendMessage")]
    assert [round(b - a, 1) >= 0.9 for a, b in pairs(times)] == [True, True]
    assert fake_telegram.violations == 0


def pairs(values):
    return list(itertools.pairwise(values))


def test_a_429_pauses_all_sending_for_retry_after(app, fake_telegram, send_all):
    """After a 429 with retry_after, does the sender wait that long, then deliver once?"""
    fake_telegram.throttle_next(1, retry_after=1)
    queue(app, (3101, "x"), (3102, "y"))
    assert send_all() == 2
    calls = fake_telegram.all_calls
    assert next(c.status for c in calls) == 429
    refused_at = calls[0].at
    assert all(c.at - refused_at >= 1.0 for c in calls[1:])
    assert sorted(p["text"] for p in fake_telegram.messages()) == ["x", "y"]
    assert fake_telegram.early_retries == 0
    assert statuses(app)["x"] == (MessageStatus.SENT, 1)  # a 429 is not a failed attempt


def test_a_user_who_blocked_the_bot_gets_nothing_more(app, fake_telegram, send_all):
    """After a 403, are that chat's messages marked blocked and never sent again?"""
    fake_telegram.block(3201)
    queue(app, (3201, "first"), (3201, "second"), (3202, "other"))
    assert send_all() == 1
    assert [c.chat_id for c in fake_telegram.all_calls].count(3201) == 1
    assert statuses(app)["first"][0] is MessageStatus.BLOCKED
    assert statuses(app)["second"][0] is MessageStatus.BLOCKED
    assert statuses(app)["other"][0] is MessageStatus.SENT

    queue(app, (3201, "later"))
    assert send_all() == 0
    assert [c.chat_id for c in fake_telegram.all_calls].count(3201) == 1
    assert statuses(app)["later"][0] is MessageStatus.BLOCKED
    with app.app_context():
        assert db.session.get(BlockedChat, 3201) is not None


def test_a_server_error_is_retried_with_backoff(app, fake_telegram, send_all):
    """Is a 5xx retried after a backoff (not at once, not dropped), then delivered?"""
    fake_telegram.fail_next(1, status=502)
    queue(app, (3301, "retry me"))
    assert send_all() == 1  # the first backoff (~2 s) is within the run's horizon
    failed, sent = fake_telegram.all_calls
    assert (failed.status, sent.status) == (502, 200)
    assert sent.at - failed.at >= 1.5
    assert statuses(app)["retry me"] == (MessageStatus.SENT, 2)


def test_a_later_retry_is_left_to_the_next_run(app, fake_telegram, send_all):
    """Is a message whose retry is far off left pending (with its error) for a later run?"""
    fake_telegram.fail_next(1, status=503)
    queue(app, (3302, "later"))
    with app.app_context():
        db.session.execute(update(OutgoingMessage).values(attempts=5))  # backoff ~64 s
        db.session.commit()
    assert send_all() == 0
    with app.app_context():
        message = db.session.scalars(select(OutgoingMessage)).one()
        assert (message.status, message.attempts) == (MessageStatus.PENDING, 6)
        assert message.next_attempt_at > utcnow() + timedelta(seconds=30)
        assert message.last_error.startswith("503")
    make_due(app)
    assert send_all() == 1
    assert statuses(app)["later"] == (MessageStatus.SENT, 7)


def test_an_unreachable_api_is_a_transient_failure(build, fake_clock):
    """Is a network error (nothing listening) kept for a retry rather than dropped?"""
    app = build({"BOT_DELIVERY": "off"})  # TELEGRAM_API_URL: nothing listens
    queue(app, (3401, "offline"))
    assert deliver(app, budget=0.5, clock=fake_clock) == 0
    status, attempts = statuses(app)["offline"]
    assert (status, attempts) == (MessageStatus.PENDING, 1)


def test_transient_failures_end_in_failed_after_max_attempts(app, fake_telegram, send_all):
    """After MAX_ATTEMPTS transient failures, is the message failed (kept, with its error)?"""
    queue(app, (3501, "doomed"))
    with app.app_context():
        db.session.execute(update(OutgoingMessage).values(attempts=MAX_ATTEMPTS - 1))
        db.session.commit()
    fake_telegram.fail_next(1, status=500)
    assert send_all() == 0
    with app.app_context():
        message = db.session.scalars(select(OutgoingMessage)).one()
        assert (message.status, message.attempts) == (MessageStatus.FAILED, MAX_ATTEMPTS)
        assert message.last_error.startswith("500")


def test_a_bad_request_fails_at_once(app, fake_telegram, send_all):
    """Is a 400 (the request itself is wrong) failed without retries?"""
    queue(app, (3601, ""))  # Telegram refuses an empty text
    assert send_all() == 0
    assert statuses(app)[""] == (MessageStatus.FAILED, 1)


def test_two_senders_at_once_send_each_message_once(app, fake_telegram):
    """Do two delivery runs at the same time, on real time and the app's own rate limiter
    (Redis's, when there is one), send every message exactly once within the limits?"""
    queue(app, *[(3700 + i, f"c{i}") for i in range(40)])
    results = []
    threads = [threading.Thread(target=lambda: results.append(deliver(app))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 40
    assert sorted(p["text"] for p in fake_telegram.messages()) == sorted(f"c{i}" for i in range(40))
    assert fake_telegram.violations == 0


def test_testing_default_queues_without_sending(build, fake_telegram):
    """In the testing config, does committing a message send nothing (delivery is opt-in)?"""
    app = build({"TELEGRAM_API_URL": fake_telegram.url})
    queue(app, (3801, "quiet"))
    assert fake_telegram.all_calls == []
    assert statuses(app)["quiet"][0] is MessageStatus.PENDING


def test_a_commit_with_a_queued_message_triggers_delivery(build, fake_telegram):
    """With BOT_DELIVERY=job, does the commit that queues a message get it delivered, and a
    rolled-back one not?"""
    app = build(bot_overrides(fake_telegram))
    queue(app, (3901, "after commit"))
    assert [p["text"] for p in fake_telegram.messages()] == ["after commit"]
    with app.app_context():
        queue_message(3902, "rolled back")
        db.session.rollback()
        db.session.commit()
    assert len(fake_telegram.all_calls) == 1


def test_bot_delivery_setting_is_checked():
    """Is an unknown BOT_DELIVERY refused at start-up, and the defaults job / off (tests)?"""
    from webapp.config import ConfigError, load_config

    assert load_config({})["BOT_DELIVERY"] == "job"
    assert load_config({"APP_ENV": "testing"})["BOT_DELIVERY"] == "off"
    assert load_config({"APP_ENV": "testing", "BOT_DELIVERY": "job"})["BOT_DELIVERY"] == "job"
    with pytest.raises(ConfigError, match="BOT_DELIVERY"):
        load_config({"BOT_DELIVERY": "inline"})
    assert load_config({"BOT_RATE_GLOBAL": "25"})["BOT_RATE_GLOBAL"] == 25.0
    for bad in ("fast", "0", "-1"):
        with pytest.raises(ConfigError, match="BOT_RATE_GLOBAL"):
            load_config({"BOT_RATE_GLOBAL": bad})


def test_messages_claimed_by_a_crashed_sender_are_sent_after_the_lease(
    app, fake_telegram, send_all
):
    """If a sender dies after claiming messages, are they left alone while leased, then sent
    once the lease ends (not lost, not doubled)?"""
    from bot.sender import claim_due

    queue(app, (4401, "orphan"))
    with app.app_context():
        assert [r.text for r in claim_due(10)] == ["orphan"]  # ...and the sender dies here
    assert send_all(budget=0.5) == 0  # another sender leaves the leased row alone
    make_due(app)  # the lease has run out
    assert send_all() == 1
    assert [p["text"] for p in fake_telegram.messages()] == ["orphan"]


def test_a_run_out_of_budget_hands_over_to_a_new_job(app, fake_telegram, send_all):
    """When a delivery run's time is up with messages still due, does it start another run
    instead of leaving them to the next sweep?"""
    queue(app, *[(4600 + i, f"b{i}") for i in range(5)])
    started = []
    app.config["JOBS_INLINE"] = False
    assert send_all(budget=0.0, hand_over=started.append) == 0
    assert started == [app]
    assert send_all() == 5


def test_network_error_is_recorded_without_the_bot_token():
    """Does a network error's text (which names the URL) keep the bot token out of the
    outbox, where the dashboard shows it?"""
    api = BotApi("http://127.0.0.1:9", "123456789:SECRET-token-part")
    try:
        outcome = api.send_message(1, "hi")
    finally:
        api.close()
    assert outcome.result is Result.TRANSIENT
    assert "SECRET-token-part" not in outcome.error and "/bot<token>/" in outcome.error
