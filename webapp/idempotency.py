"""Double taps run once: a changing page request that carries an `Idempotency-Key` header
is handled the first time that key reaches that URL; a repeat answers 204 and changes
nothing on the page (`HX-Reswap: none`).

The page script (`static/js/app.js`) sends one key per attempt of an element's request (a
double tap, a repeated Enter or a client retry share it; the next attempt gets a new one),
so a second POST of the same form creates nothing even when it slips past the disabled
button. Keys live ten minutes, in Redis when configured (shared by every worker), else in
this process. The JSON API (`/api/…`) gives the header its own meaning where it takes one
(a market take replays its first answer), so it is left alone here.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict

from flask import Flask, Response, current_app, request
from redis.exceptions import RedisError

from webapp.redis_store import get_redis, redis_key

HEADER = "Idempotency-Key"
TTL_SECONDS = 600
_VALID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
API_PREFIX = "/api/"


class _LocalKeys:
    """Keys seen by this process (the embedded mode without Redis), oldest dropped first."""

    def __init__(self, limit: int = 10_000) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()
        self._limit = limit

    def claim(self, key: str, ttl: int) -> bool:
        now = time.monotonic()
        with self._lock:
            expires = self._seen.get(key)
            if expires is not None and expires > now:
                return False
            self._seen[key] = now + ttl
            self._seen.move_to_end(key)
            while len(self._seen) > self._limit:
                self._seen.popitem(last=False)
            return True


def claim(key: str) -> bool:
    """True the first time `key` is seen (within the TTL), False for a repeat."""
    redis = get_redis()
    if redis is not None:
        try:
            return bool(redis.set(redis_key("idempotency", key), 1, nx=True, ex=TTL_SECONDS))
        except RedisError:
            pass  # a Redis outage must not refuse every form: this process remembers instead
    local: _LocalKeys = current_app.extensions["idempotency"]
    return local.claim(key, TTL_SECONDS)


def _repeat_response() -> Response:
    # The first request's answer is (or will be) on the page: change nothing.
    from webapp import htmx

    return htmx.answer("", 204, reswap="none")


def init_idempotency(app: Flask) -> None:
    app.extensions["idempotency"] = _LocalKeys()

    @app.before_request
    def run_once() -> Response | None:
        key = request.headers.get(HEADER, "")
        if (
            request.method in _SAFE_METHODS
            or request.path.startswith(API_PREFIX)
            or not _VALID.match(key)
        ):
            return None
        if claim(f"{request.path}:{key}"):
            return None
        return _repeat_response()
