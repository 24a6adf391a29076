"""Telegram's sending limits, kept by every sender at once.

Two GCRA schedules (a token bucket without a background refill) must both allow a message:
one for all chats together (`BOT_RATE_GLOBAL` per second) and one for its chat
(`BOT_RATE_PER_CHAT` per second for a private chat, `BOT_RATE_GROUP_PER_MINUTE` for a group,
whose id is negative). A 429 pauses everything for `retry_after` seconds.

`RedisRateLimiter` keeps the schedules in Redis (one Lua script, Redis server time), so all web
and worker processes on all machines share them; `LocalRateLimiter` keeps them in this
process's memory for the embedded mode without Redis.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

from flask import Flask
from redis import Redis


@dataclass(frozen=True)
class Limits:
    global_interval: float  # seconds between two messages, all chats together
    chat_interval: float  # … to one private chat
    group_interval: float  # … to one group

    @classmethod
    def from_config(cls, config: Any) -> Limits:
        return cls(
            global_interval=1.0 / float(config["BOT_RATE_GLOBAL"]),
            chat_interval=1.0 / float(config["BOT_RATE_PER_CHAT"]),
            group_interval=60.0 / float(config["BOT_RATE_GROUP_PER_MINUTE"]),
        )

    def for_chat(self, chat_id: int) -> float:
        return self.group_interval if chat_id < 0 else self.chat_interval


class RateLimiter(Protocol):
    def acquire(self, chat_id: int) -> float:
        """Take a slot for one message to `chat_id`: 0.0 when it may go now, otherwise the
        seconds to wait before asking again (nothing is taken then)."""

    def pause(self, seconds: float) -> None:
        """Stop all sending for `seconds` (Telegram answered 429 with `retry_after`)."""


class LocalRateLimiter:
    """The limits for one process (embedded mode): a lock and two dictionaries."""

    def __init__(self, limits: Limits, clock: Any = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        self._global_tat = 0.0
        self._chat_tat: dict[int, float] = {}
        self._paused_until = 0.0

    def acquire(self, chat_id: int) -> float:
        with self._lock:
            now = self._clock()
            if self._paused_until > now:
                return self._paused_until - now
            global_tat = max(self._global_tat, now)
            chat_tat = max(self._chat_tat.get(chat_id, 0.0), now)
            wait = max(global_tat - now, chat_tat - now)
            if wait > 0:
                return wait
            self._global_tat = global_tat + self.limits.global_interval
            self._chat_tat[chat_id] = chat_tat + self.limits.for_chat(chat_id)
            if len(self._chat_tat) > 10_000:  # forget chats whose schedule has passed
                self._chat_tat = {c: t for c, t in self._chat_tat.items() if t > now}
            return 0.0

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


# KEYS: pause, global, chat. ARGV: global interval, chat interval (microseconds).
# Returns 0 when the message may go (both schedules advanced), else microseconds to wait.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local paused = tonumber(redis.call('GET', KEYS[1]) or '0')
if paused > now then return paused - now end
local g = math.max(tonumber(redis.call('GET', KEYS[2]) or '0'), now)
local c = math.max(tonumber(redis.call('GET', KEYS[3]) or '0'), now)
local wait = math.max(g - now, c - now)
if wait > 0 then return wait end
local gi = tonumber(ARGV[1])
local ci = tonumber(ARGV[2])
redis.call('SET', KEYS[2], string.format('%d', g + gi), 'PX', math.ceil(gi / 1000) + 1000)
redis.call('SET', KEYS[3], string.format('%d', c + ci), 'PX', math.ceil(ci / 1000) + 1000)
return 0
"""

# KEYS: pause. ARGV: seconds. Extends the pause, never shortens it.
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local untl = now + math.floor(tonumber(ARGV[1]) * 1000000)
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local ttl = math.ceil(tonumber(ARGV[1]) * 1000) + 1000
if untl > current then
  redis.call('SET', KEYS[1], string.format('%d', untl), 'PX', ttl)
end
return 0
"""


class RedisRateLimiter:
    """The limits for every process sharing one Redis."""

    def __init__(self, redis: Redis, prefix: str, limits: Limits) -> None:
        self.limits = limits
        self._prefix = f"{prefix}:bot:rate"
        self._acquire = redis.register_script(_ACQUIRE)
        self._pause = redis.register_script(_PAUSE)

    def acquire(self, chat_id: int) -> float:
        keys = [f"{self._prefix}:pause", f"{self._prefix}:global", f"{self._prefix}:chat:{chat_id}"]
        micros = [
            math.ceil(self.limits.global_interval * 1_000_000),
            math.ceil(self.limits.for_chat(chat_id) * 1_000_000),
        ]
        return int(self._acquire(keys=keys, args=micros)) / 1_000_000

    def pause(self, seconds: float) -> None:
        self._pause(keys=[f"{self._prefix}:pause"], args=[seconds])


_create_lock = threading.Lock()


def rate_limiter(app: Flask) -> RateLimiter:
    """The app's limiter: shared through Redis when there is one, else this process's."""
    with _create_lock:
        return _rate_limiter(app)


def _rate_limiter(app: Flask) -> RateLimiter:
    limiter = app.extensions.get("bot_rate_limiter")
    if limiter is None:
        limits = Limits.from_config(app.config)
        redis = app.extensions.get("redis")
        limiter = (
            RedisRateLimiter(redis, app.config.get("REDIS_KEY_PREFIX", "hub"), limits)
            if redis is not None
            else LocalRateLimiter(limits)
        )
        app.extensions["bot_rate_limiter"] = limiter
    return limiter
