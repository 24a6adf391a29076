"""Language selection: `?lang=`, the user's explicit choice, their Telegram language, the
browser — or the default outside a request (jobs and CLI use `force_locale`)."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, has_request_context, request


def supported_locale(candidate: object) -> str | None:
    """`ru-RU` → `ru` when supported, else None (also for anything that is not text)."""
    if not isinstance(candidate, str) or not candidate:
        return None
    code = candidate.split("-")[0].lower()
    return code if code in current_app.config["LANGUAGES"] else None


def user_locale(user: Any) -> str:
    """The language to speak to a user outside a request (bot messages, reminders)."""
    return (
        supported_locale(getattr(user, "locale", None))
        or supported_locale(getattr(user, "language_code", None))
        or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def select_locale() -> str:
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    user = g.get("user")
    for candidate in (
        request.args.get("lang"),
        getattr(user, "locale", None),
        getattr(user, "language_code", None),
    ):
        locale = supported_locale(candidate)
        if locale:
            return locale
    return request.accept_languages.best_match(current_app.config["LANGUAGES"]) or default
