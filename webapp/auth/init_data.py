"""Telegram Mini App `initData` validation — pure Python, no Flask.

Implements https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app:

* HMAC: secret key = HMAC_SHA256(key="WebAppData", msg=bot_token); the data-check-string is
  every field but `hash`, sorted by key, `key=value` joined with "\\n"; the hex digest is
  compared in constant time.
* Third-party (Ed25519): the data-check-string is "<bot_id>:WebAppData\\n" + the sorted lines
  without `hash` and `signature`; `signature` is base64url without padding, checked with
  Telegram's public key for production or the test environment (chosen by configuration).
* `auth_date` must be at most `max_age` seconds old and not in the future beyond `skew`.

Every failure raises `InitDataError` with a `reason` a developer can act on.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

MAX_INIT_DATA_LENGTH = 8192
# Telegram user ids are positive and have at most 52 significant bits.
MAX_TELEGRAM_USER_ID = 2**52 - 1
_BROKEN_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")

TELEGRAM_PUBLIC_KEYS = {
    "production": "e7bf03a2fa4602af4580703d88dda5bb59f32ed8b02a56c187fe7d34caed242d",
    "test": "40055058a4ee38156a06562e52eece92a771bcd8346a8c4615cb7376eddf72ec",
}


class InitDataError(ValueError):
    """`initData` was refused; `reason` is a short machine-readable cause."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class WebAppUser:
    id: int
    first_name: str = ""
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_premium: bool = False
    photo_url: str | None = None


@dataclass(frozen=True)
class InitData:
    user: WebAppUser | None
    auth_date: int
    start_param: str | None = None
    query_id: str | None = None
    chat_type: str | None = None
    fields: dict[str, str] = field(default_factory=dict)


def _parse_fields(raw: str) -> dict[str, str]:
    if not raw or not raw.strip():
        raise InitDataError("missing", "initData is empty")
    if len(raw) > MAX_INIT_DATA_LENGTH:
        raise InitDataError("malformed", f"initData is longer than {MAX_INIT_DATA_LENGTH} bytes")
    if _BROKEN_ESCAPE.search(raw):
        raise InitDataError("malformed", "initData has a broken percent-escape")
    try:
        pairs = parse_qsl(raw, strict_parsing=True, keep_blank_values=True, errors="strict")
    except (ValueError, UnicodeDecodeError) as exc:
        raise InitDataError("malformed", f"initData is not a valid query string: {exc}") from exc
    fields: dict[str, str] = {}
    for key, value in pairs:
        if key in fields:
            raise InitDataError("malformed", f"initData repeats the field {key!r}")
        fields[key] = value
    return fields


def _check_string(fields: dict[str, str], exclude: tuple[str, ...]) -> str:
    return "\n".join(f"{k}={fields[k]}" for k in sorted(fields) if k not in exclude)


def secret_key(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def sign(fields: dict[str, str], bot_token: str) -> str:
    """The `hash` Telegram would compute for these fields (used by `flask dev init-data`)."""
    data = _check_string(fields, ("hash",)).encode()
    return hmac.new(secret_key(bot_token), data, hashlib.sha256).hexdigest()


def _check_hash(fields: dict[str, str], bot_token: str) -> None:
    received = fields.get("hash")
    if not received:
        raise InitDataError("missing-hash", "initData has no hash field")
    expected = sign(fields, bot_token)
    if not hmac.compare_digest(expected.encode(), received.strip().lower().encode()):
        raise InitDataError(
            "bad-hash", "initData hash does not match: wrong bot token or altered data"
        )


def _check_signature(fields: dict[str, str], bot_id: int, public_key_hex: str) -> None:
    signature = fields.get("signature")
    if not signature:
        raise InitDataError("missing-signature", "initData has no signature field")
    try:
        raw_signature = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    except (ValueError, TypeError) as exc:
        raise InitDataError("malformed", "initData signature is not base64url") from exc
    message = f"{bot_id}:WebAppData\n" + _check_string(fields, ("hash", "signature"))
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
    try:
        key.verify(raw_signature, message.encode())
    except InvalidSignature as exc:
        raise InitDataError("bad-signature", "initData signature does not verify") from exc


def _check_age(fields: dict[str, str], now: float, max_age: int, skew: int) -> int:
    raw = fields.get("auth_date")
    if raw is None:
        raise InitDataError("malformed", "initData has no auth_date")
    try:
        auth_date = int(raw)
    except ValueError as exc:
        raise InitDataError("malformed", "initData auth_date is not an integer") from exc
    if auth_date > now + skew:
        raise InitDataError("future", "initData auth_date is in the future; check the clock")
    if now - auth_date > max_age:
        raise InitDataError("expired", f"initData is older than {max_age} seconds; reopen the app")
    return auth_date


def _parse_user(raw: str | None) -> WebAppUser | None:
    if raw is None:
        return None
    try:
        data: Any = json.loads(raw)
        user_id = int(data["id"]) if isinstance(data, dict) else None
    except (ValueError, TypeError, KeyError, OverflowError):
        user_id = None
    if user_id is None:
        raise InitDataError("malformed", "initData user is not a JSON object with an id")
    if any(isinstance(value, str) and "\x00" in value for value in data.values()):
        raise InitDataError("malformed", "initData user has a NUL character")
    if not 1 <= user_id <= MAX_TELEGRAM_USER_ID:
        raise InitDataError(
            "bad-user-id", f"initData user id must be from 1 to {MAX_TELEGRAM_USER_ID}"
        )

    def text(name: str) -> str | None:
        value = data.get(name)
        return str(value) if value not in (None, "") else None

    return WebAppUser(
        id=user_id,
        first_name=str(data.get("first_name") or ""),
        last_name=text("last_name"),
        username=text("username"),
        language_code=text("language_code"),
        is_premium=bool(data.get("is_premium", False)),
        photo_url=text("photo_url"),
    )


def validate(
    raw: str,
    bot_token: str | None,
    *,
    max_age: int = 86400,
    skew: int = 60,
    signature_key: str = "off",
    clock: Callable[[], float] = time.time,
) -> InitData:
    """Validate a raw `initData` string and return what it says, or raise `InitDataError`.

    `signature_key` is "off" (HMAC with the bot token only), or "production"/"test": then
    the Ed25519 `signature` must also verify with that Telegram public key.
    """
    if not bot_token:
        raise InitDataError("not-configured", "Mini App sign-in is off: no bot token configured")
    fields = _parse_fields(raw)
    _check_hash(fields, bot_token)
    if signature_key != "off":
        if signature_key not in TELEGRAM_PUBLIC_KEYS:
            raise InitDataError("not-configured", f"unknown signature key {signature_key!r}")
        bot_id = int(bot_token.split(":", 1)[0])
        _check_signature(fields, bot_id, TELEGRAM_PUBLIC_KEYS[signature_key])
    auth_date = _check_age(fields, clock(), max_age, skew)
    return InitData(
        user=_parse_user(fields.get("user")),
        auth_date=auth_date,
        start_param=fields.get("start_param") or None,
        query_id=fields.get("query_id") or None,
        chat_type=fields.get("chat_type") or None,
        fields=fields,
    )


def build(
    bot_token: str,
    user: dict[str, Any],
    *,
    auth_date: int | None = None,
    start_param: str | None = None,
    extra: dict[str, str] | None = None,
) -> str:
    """Produce a correctly signed `initData` string (development and tests)."""
    fields = {
        "auth_date": str(int(time.time()) if auth_date is None else auth_date),
        "query_id": "AAH" + hashlib.sha256(json.dumps(user).encode()).hexdigest()[:20],
        "user": json.dumps(user, separators=(",", ":"), ensure_ascii=False),
    }
    if start_param:
        fields["start_param"] = start_param
    fields.update(extra or {})
    fields["hash"] = sign(fields, bot_token)
    return urlencode(fields)
