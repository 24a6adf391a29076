"""Who is calling: credentials from the request, and the access decorators.

Accepted credentials, first match wins:
* `Authorization: tma <initData>` or `X-Telegram-Init-Data: <initData>` — validated per call;
* `Authorization: Bearer <access token>` — from `/api/auth/telegram` or `/api/auth/login`;
* the session cookie (Flask-Login) — pages only, never `/api`, so the JSON API cannot be
  driven cross-site with a cookie.

A banned user is refused (403) everywhere except reading their own profile
(`@login_required(allow_banned=True)`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast, overload

from flask import current_app, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.auth import init_data as init_data_validator
from webapp.auth import tokens, user_cache
from webapp.errors import DomainError, Forbidden, Unauthorized
from webapp.extensions import db
from webapp.users import services as users
from webapp.users.models import Role, User

F = TypeVar("F", bound=Callable[..., Any])
INIT_DATA_HEADER = "X-Telegram-Init-Data"
# How a role is named to people (the 403 of `role_required`).
ROLE_NAMES = {
    Role.STUDENT: _l("student"),
    Role.TEACHER: _l("teacher"),
    Role.MODERATOR: _l("moderator"),
    Role.ADMIN: _l("administrator"),
}


def validate_init_data(raw: str) -> init_data_validator.InitData:
    """Validate `initData` with the app's settings; failures become a 401 with the reason."""
    config = current_app.config
    try:
        return init_data_validator.validate(
            raw,
            config.get("TELEGRAM_BOT_TOKEN"),
            max_age=int(config["INIT_DATA_MAX_AGE"]),
            skew=int(config["INIT_DATA_FUTURE_SKEW"]),
            signature_key=config["INIT_DATA_SIGNATURE_KEY"],
        )
    except init_data_validator.InitDataError as exc:
        raise Unauthorized(exc.message, reason=exc.reason) from exc


def _cache_key(kind: str, value: object) -> str:
    return f"{id(current_app._get_current_object())}:{kind}:{value}"  # type: ignore[attr-defined]


def _cache_seconds() -> float:
    return float(current_app.config.get("SIGN_IN_CACHE_SECONDS", 0))


def user_from_init_data(raw: str) -> User:
    """The user of a valid initData: validated on every call; the row comes from the
    per-process cache (`webapp.auth.user_cache`) when this initData was seen seconds ago,
    else from the upsert (one SELECT; a write only when the profile or last-seen changed)."""
    data = validate_init_data(raw)
    if data.user is None:
        raise Unauthorized(_l("initData carries no user object."), reason="no-user")
    g.init_data = data
    key, ttl = _cache_key("tma", data.fields.get("hash")), _cache_seconds()
    cached = user_cache.users.get(key, ttl, db.session)
    if cached is not None:
        return cached
    user, changed = users.upsert_telegram_user(data.user)
    if changed:
        db.session.commit()  # signing in is its own unit of work
    user_cache.users.put(key, user, ttl)
    return user


def _user_from_token(raw: str) -> User:
    token = tokens.decode(raw)
    g.access_token = token
    key, ttl = _cache_key("token-user", token.user_id), _cache_seconds()
    user = user_cache.users.get(key, ttl, db.session) or db.session.get(User, token.user_id)
    if user is None or user.deleted_at is not None:
        raise Unauthorized(_l("The account behind this token no longer exists."), reason="no-user")
    user_cache.users.put(key, user, ttl)
    return user


def user_from_session(session_id: str) -> User | None:
    """The user of a page's session cookie (`User.get_id()`, "<id>:<version>"), or None
    when its sessions were ended: the row from the per-process cache when this cookie was
    seen seconds ago, else one SELECT. Ending the sessions changes the row through the ORM,
    so this process forgets it at once (the others within `SIGN_IN_CACHE_SECONDS`)."""
    key, ttl = _cache_key("session", session_id), _cache_seconds()
    user = user_cache.users.get(key, ttl, db.session)
    if user is None:
        user = users.user_for_session(session_id)
        if user is not None:
            user_cache.users.put(key, user, ttl)
    return user


def _credentials() -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "").strip()
    if header:
        scheme, _, value = header.partition(" ")
        scheme = scheme.lower()
        if scheme in {"tma", "bearer"} and value.strip():
            return scheme, value.strip()
        raise Unauthorized(
            _l("Use 'Authorization: tma <initData>' or 'Authorization: Bearer <token>'."),
            reason="malformed",
        )
    init_data = request.headers.get(INIT_DATA_HEADER, "").strip()
    if init_data:
        return "tma", init_data
    return None


def resolve_user() -> User | None:
    """The caller, or None when the request carries no credentials at all.

    Bad credentials raise `Unauthorized`; the result is cached on `g` for the request.
    """
    if "user" in g:
        return cast("User | None", g.user)
    found = _credentials()
    user: User | None = None
    if found is not None:
        scheme, value = found
        user = user_from_init_data(value) if scheme == "tma" else _user_from_token(value)
    elif not request.path.startswith("/api") and current_user.is_authenticated:
        user = cast(User, current_user._get_current_object())
        if user.deleted_at is not None:
            user = None
    g.user = user
    return user


def identify_caller() -> None:
    """Resolve the signed-in caller before a view would (flask-openapi3 validates a body
    first), so a 422 speaks the user's language too; bad credentials or a database that is
    down leave the fallback language."""
    if "user" in g:
        return
    try:
        resolve_user()
    except DomainError:
        pass
    except Exception:  # the database is down: the answer is a 503 anyway
        db.session.rollback()


def require_user(*, allow_banned: bool = False) -> User:
    user = resolve_user()
    if user is None:
        raise Unauthorized(
            _l("Sign in: send 'Authorization: tma <initData>' or a bearer token."), reason="missing"
        )
    if user.is_banned and not allow_banned:
        raise Forbidden(
            _l("This account is banned: %(reason)s", reason=user.ban_reason)
            if user.ban_reason
            else _l("This account is banned."),
            reason="banned",
        )
    return user


@overload
def login_required(view: F) -> F: ...


@overload
def login_required(view: None = None, *, allow_banned: bool = False) -> Callable[[F], F]: ...


def login_required(view: F | None = None, *, allow_banned: bool = False) -> Any:
    """The view needs a signed-in, not banned user (`g.user`)."""

    def decorate(func: F) -> F:
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            require_user(allow_banned=allow_banned)
            return func(*args, **kwargs)

        return cast(F, wrapper)

    return decorate(view) if view is not None else decorate


def role_required(*roles: Role | str) -> Callable[[F], F]:
    """The view needs a signed-in user with one of these roles."""
    allowed = {Role(r) for r in roles}

    def decorate(func: F) -> F:
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = require_user()
            if user.role not in allowed:
                names = ", ".join(sorted(str(ROLE_NAMES[r]) for r in allowed))
                raise Forbidden(_l("This needs one of the roles: %(roles)s.", roles=names))
            return func(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


def optional_user(func: F) -> F:
    """Public view that still recognises a signed-in caller (`g.user` may be None)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        resolve_user()
        return func(*args, **kwargs)

    return cast(F, wrapper)


def current() -> User:
    """The user resolved by one of the decorators above."""
    user: User | None = g.get("user")
    if user is None:  # pragma: no cover - a view forgot its decorator
        raise Unauthorized(_l("Sign-in required."), reason="missing")
    return user
