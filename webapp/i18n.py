"""Language selection: the user's explicit choice, their Telegram language, the browser."""

from __future__ import annotations

from flask import current_app, g, request


def select_locale() -> str:
    supported = current_app.config["LANGUAGES"]
    user = g.get("user")
    for candidate in (
        request.args.get("lang"),
        getattr(user, "locale", None),
        getattr(user, "language_code", None),
    ):
        if candidate:
            code = candidate.split("-")[0].lower()
            if code in supported:
                return code
    return (
        request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )
