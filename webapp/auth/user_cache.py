"""Signed-in users remembered for a few seconds per process, so a request whose credentials
were already seen costs no database round trip to know who is calling.

The credentials are still checked on every request (initData's HMAC and age, the token's
signature and expiry); only the user's row is remembered, keyed by what the validated
credential proves: the initData's `hash` (it signs the user object and `auth_date` too, so
the same key always means the same Telegram profile) or the token's user id.

How bans, role changes and deletions still take effect quickly:
* in the process that makes the change, at once: any flush that changes or deletes a
  `User` forgets that user (a SQLAlchemy `after_flush` hook), and so does `forget_user`;
* in the other processes, within `SIGN_IN_CACHE_SECONDS` (5 s by default): an entry is
  never used after that, whatever happened. 0 turns the cache off (the test suite's
  default, where tables are emptied under the app between tests).

A remembered row comes back into the request's session with `Session.merge(load=False)`:
a persistent `User` with no SELECT; writing to it later (last seen, a ban) works as usual.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import InstanceState, Session, make_transient_to_detached, scoped_session

from webapp.users.models import User

MAX_ENTRIES = 10_000

_COLUMNS = tuple(attr.key for attr in inspect(User).column_attrs)


class UserCache:
    """`key → (user's column values, stored at)`, least recently used evicted first."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: OrderedDict[str, tuple[dict[str, Any], float]] = OrderedDict()
        self._keys_of: dict[int, set[str]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, ttl: float, session: Session | scoped_session[Any]) -> User | None:
        """The remembered user attached to `session`, or None (unknown or too old)."""
        if ttl <= 0:
            return None
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            values, stored_at = found
            if self._clock() - stored_at > ttl:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
        user = User(**values)
        make_transient_to_detached(user)
        return session.merge(user, load=False)

    def put(self, key: str, user: User, ttl: float) -> None:
        """Remember a user whose row is clean (as loaded or just flushed)."""
        if ttl <= 0 or user.id is None:
            return
        state: InstanceState[User] = inspect(user)
        if state.modified or not state.persistent or state.expired_attributes:
            return  # never remember a half-loaded or unflushed row
        values = {name: state.dict[name] for name in _COLUMNS if name in state.dict}
        if len(values) != len(_COLUMNS):
            return
        with self._lock:
            self._entries[key] = (values, self._clock())
            self._entries.move_to_end(key)
            self._keys_of.setdefault(user.id, set()).add(key)
            while len(self._entries) > MAX_ENTRIES:
                self._drop(next(iter(self._entries)))

    def forget_user(self, user_id: int) -> None:
        with self._lock:
            for key in self._keys_of.pop(user_id, set()):
                self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._keys_of.clear()

    def _drop(self, key: str) -> None:
        values, _ = self._entries.pop(key)
        keys = self._keys_of.get(values["id"])
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._keys_of[values["id"]]


users = UserCache()


def forget_user(user_id: int) -> None:
    """Drop a user from this process's cache (changes made outside the ORM call it)."""
    users.forget_user(user_id)


@event.listens_for(Session, "after_flush")
def _forget_changed_users(session: Session, _context: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, User) and obj.id is not None:
            users.forget_user(obj.id)
