"""The rate limits: global, per chat, per group, pauses; in-process and shared through Redis."""

from __future__ import annotations

import pytest
from redis import Redis

from bot.ratelimit import Limits, LocalRateLimiter, RedisRateLimiter

LIMITS = Limits(global_interval=1 / 30, chat_interval=1.0, group_interval=3.0)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_one_message_per_second_to_a_chat():
    """Is a second message to the same chat refused until a second has passed?"""
    clock = Clock()
    limiter = LocalRateLimiter(LIMITS, clock)
    assert limiter.acquire(1) == 0
    clock.now += 0.1
    assert limiter.acquire(1) == pytest.approx(0.9)
    clock.now += 0.9
    assert limiter.acquire(1) == 0


def test_thirty_messages_per_second_overall():
    """Are messages to different chats spaced by 1/30 s overall?"""
    clock = Clock()
    limiter = LocalRateLimiter(LIMITS, clock)
    assert limiter.acquire(1) == 0
    assert limiter.acquire(2) == pytest.approx(1 / 30)
    clock.now += 1 / 30
    assert limiter.acquire(2) == 0


def test_twenty_per_minute_to_a_group():
    """Does a group (negative id) get one message per 3 s (20 a minute)?"""
    clock = Clock()
    limiter = LocalRateLimiter(LIMITS, clock)
    assert limiter.acquire(-100) == 0
    clock.now += 1.5
    assert limiter.acquire(-100) == pytest.approx(1.5)


def test_a_pause_stops_everything():
    """After a 429 pause, is every chat refused until it ends?"""
    clock = Clock()
    limiter = LocalRateLimiter(LIMITS, clock)
    limiter.pause(2)
    assert limiter.acquire(7) == pytest.approx(2)
    clock.now += 2
    assert limiter.acquire(7) == 0


def test_a_refused_request_takes_nothing():
    """Does a refused request leave the schedules as they were?"""
    clock = Clock()
    limiter = LocalRateLimiter(LIMITS, clock)
    limiter.acquire(1)
    for _ in range(5):
        assert limiter.acquire(1) > 0
    clock.now += 1.0
    assert limiter.acquire(1) == 0


@pytest.mark.redis
def test_redis_limits_are_shared_by_every_process(redis_server, redis_prefix):
    """Do two limiters on one Redis (two processes) share the per-chat and global limits,
    and a pause?"""
    # Redis keeps the time, so the intervals are long enough that a slow machine's pauses
    # between two calls (seconds, at worst) cannot let a slot pass.
    slow = Limits(global_interval=30.0, chat_interval=60.0, group_interval=120.0)
    first = RedisRateLimiter(Redis.from_url(redis_server), redis_prefix, slow)
    second = RedisRateLimiter(Redis.from_url(redis_server), redis_prefix, slow)
    assert first.acquire(1) == 0
    assert 50 < second.acquire(1) <= 60  # the same chat: the per-chat interval
    assert 20 < second.acquire(2) <= 30  # another chat: the global interval
    second.pause(100)
    assert 90 < first.acquire(3) <= 100
    other_app = RedisRateLimiter(Redis.from_url(redis_server), redis_prefix + "x", slow)
    assert other_app.acquire(1) == 0  # another prefix: another app, its own limits
