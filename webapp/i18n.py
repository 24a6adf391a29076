"""Language selection: `?lang=`, the user's explicit choice, their Telegram language, the
browser — or the default outside a request (jobs and CLI use `force_locale`); and which
catalog wins when several translate the same message (`catalog_directories`)."""

from __future__ import annotations

from pathlib import Path
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


def catalog_directories(webapp_root: Path) -> list[str]:
    """The catalog folders for Flask-Babel, in the order that makes the precedence hold.

    Flask-Babel merges every catalog into one, and a catalog merged later overrides an
    earlier one for a message id both translate. The precedence for such a message is:

    1. the core catalog (`webapp/translations`: core, auth, users, errors, base templates),
       so a feature never changes what a shared string says elsewhere;
    2. then the features' catalogs (`webapp/<feature>/translations`) in alphabetical order
       of the feature's name.

    So the list is that precedence reversed: the winner is merged last.
    """
    features = sorted(p for p in webapp_root.glob("*/translations") if p.is_dir())
    precedence = [webapp_root / "translations", *features]
    return [str(path) for path in reversed(precedence)]
