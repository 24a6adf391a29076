"""Language and time: which language and time zone a request speaks (`?lang=`, the
user's explicit choice, their Telegram language, the browser — or the defaults outside a
request: jobs and CLI use `force_locale` and pass the zone), which catalog wins when several
translate the same message (`catalog_directories`), the one format per kind of time (date,
time, date and time, relative), configured choices' display names, and the translated
sentence for each kind of validation error."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import babel
import babel.dates
from flask import current_app, g, has_request_context, request
from flask_babel import get_locale, get_translations, gettext, ngettext
from flask_babel import lazy_gettext as _l


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


def choice_name(kind: str, key: Any) -> str:
    """A choice's display name in the current language: categories and ticket types as the
    admin keeps them (`webapp.core.choices`, handed down by the app factory as
    `app.extensions["hub_choice_names"]`), cities as configured (`webapp.config.env_choices`);
    an unknown key shows as itself."""
    source = current_app.extensions.get("hub_choice_names")
    kept = source(kind) if source is not None else None
    names = (kept or {}).get(str(key)) or {}
    if not names:
        names = current_app.config.get("CHOICE_NAMES", {}).get(kind, {}).get(str(key)) or {}
    locale = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    return names.get(locale) or names.get(current_app.config["BABEL_DEFAULT_LOCALE"]) or str(key)


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def known_time_zone(name: object) -> str | None:
    """`name` when it is an IANA time zone this server knows ("Europe/Moscow"), else None."""
    if not isinstance(name, str) or not 0 < len(name) <= 64 or name not in _zone_names():
        return None
    return name


def user_zone(user: Any) -> tzinfo:
    """The user's time zone (UTC when unknown)."""
    name = known_time_zone(getattr(user, "time_zone", None))
    try:
        return ZoneInfo(name) if name else UTC
    except ZoneInfoNotFoundError:  # pragma: no cover - listed but not loadable
        return UTC


def select_timezone() -> str:
    """Flask-Babel's time zone for this request: the signed-in user's, else UTC."""
    if not has_request_context():
        return "UTC"
    user = g.get("user")
    return known_time_zone(getattr(user, "time_zone", None)) or "UTC"


def _zone() -> tzinfo:
    from flask_babel import get_timezone

    return get_timezone() or UTC


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _locale() -> babel.Locale:
    return get_locale() or babel.Locale.parse(current_app.config["BABEL_DEFAULT_LOCALE"])


def _date(moment: datetime, locale: babel.Locale) -> str:
    # What babel.dates.format_date(moment, "medium") does, without parsing the locale and
    # looking the pattern up again on every row of a list.
    return locale.date_formats["medium"].apply(moment.date(), locale)


def _time(moment: datetime, locale: babel.Locale) -> str:
    # babel.dates.format_time(moment, "short"), the same way.
    return locale.time_formats["short"].apply(moment, locale, reference_date=moment.date())


def local_date(value: datetime | None, zone: tzinfo | None = None) -> str:
    """The date in the user's zone, in their language ("Dec 2, 2026")."""
    if value is None:
        return ""
    return _date(_aware(value).astimezone(zone or _zone()), _locale())


def local_time(value: datetime | None, zone: tzinfo | None = None) -> str:
    """The time in the user's zone, as their language writes it ("8:00 AM", "08:00")."""
    if value is None:
        return ""
    return _time(_aware(value).astimezone(zone or _zone()), _locale())


def local_datetime(value: datetime | None, zone: tzinfo | None = None) -> str:
    """Date and time in the user's zone, in their language ("Dec 2, 2026, 8:00 AM")."""
    if value is None:
        return ""
    locale = _locale()
    moment = _aware(value).astimezone(zone or _zone())
    pattern = str(locale.datetime_formats["medium"])
    return pattern.replace("{1}", _date(moment, locale)).replace("{0}", _time(moment, locale))


def relative_time(value: datetime | timedelta | None, now: datetime | None = None) -> str:
    """ "in 15 minutes" / "через 15 минут", "3 hours ago" — from now."""
    if value is None:
        return ""
    delta = value if isinstance(value, timedelta) else _aware(value) - (now or datetime.now(UTC))
    return babel.dates.format_timedelta(delta, add_direction=True, threshold=1, locale=get_locale())


def datetime_input(value: datetime | None) -> str:
    """The value of an `<input type="datetime-local">`: the time in the user's zone."""
    if value is None:
        return ""
    return _aware(value).astimezone(_zone()).strftime("%Y-%m-%dT%H:%M")


TIME_FILTERS = {
    "local_date": local_date,
    "local_time": local_time,
    "local_datetime": local_datetime,
    "relative_time": relative_time,
    "datetime_input": datetime_input,
}


def choice_options(kind: str, keys: Any) -> list[tuple[str, str]]:
    """`[(key, display name)]` for a select of configured choices."""
    return [(str(key), choice_name(kind, key)) for key in keys]


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


def template_translations() -> Any:
    """The translations a template's `_()` reads: Flask-Babel's `get_translations()`,
    looked up once per request and locale instead of once per phrase.

    Flask-Babel resolves the domain, the locale and its catalog on every call (nine
    context-local lookups); a page says 100-150 phrases, and that lookup was about a tenth
    of the `/tasks` page (`bench/profile_requests.py`). The answer is kept beside
    Flask-Babel's own request state together with the locale and domain it was found for, so
    `force_locale` (a new locale object) and `refresh` (no locale) find the right catalog."""
    try:
        state = g.get("_flask_babel")
    except RuntimeError:  # outside an app context: Flask-Babel's null translations
        return get_translations()
    if state is not None:
        memo = getattr(state, "hub_translations", None)
        if (
            memo is not None
            and memo[0] is getattr(state, "babel_locale", None)
            and memo[1] is getattr(state, "babel_domain", None)
        ):
            return memo[2]
    translations = get_translations()
    state = g.get("_flask_babel")
    if state is not None:
        locale = getattr(state, "babel_locale", None)
        state.hub_translations = (locale, getattr(state, "babel_domain", None), translations)
    return translations


def install_template_gettext(env: Any) -> None:
    """Templates' `_`, `gettext`, `ngettext`, `pgettext` and `npgettext` through
    `template_translations` (the same newstyle callables Flask-Babel installs: escaped,
    `%(name)s` formatting)."""
    env.install_gettext_callables(
        gettext=lambda s: template_translations().ugettext(s),
        ngettext=lambda s, p, n: template_translations().ungettext(s, p, n),
        pgettext=lambda c, s: template_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: template_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


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


def validation_message(error: Mapping[str, Any]) -> str:
    """A pydantic error (`type`, `msg`, `ctx`) as a sentence in the user's language.

    Pages and problem+json `errors` both show it, so a field's message is the same wherever
    it is validated; an error type not listed here gets a general (translated) sentence,
    never pydantic's English.
    """
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind in {"string_too_short", "too_short"} and _number(ctx, "min_length") > 1:
        count = _number(ctx, "min_length")
        if kind == "too_short":
            return ngettext("Give at least %(num)d item.", "Give at least %(num)d items.", count)
        return ngettext(
            "Use at least %(num)d character.", "Use at least %(num)d characters.", count
        )
    if kind == "string_too_long":
        count = _number(ctx, "max_length")
        return ngettext("Use at most %(num)d character.", "Use at most %(num)d characters.", count)
    if kind == "too_long":
        count = _number(ctx, "max_length")
        return ngettext("Give at most %(num)d item.", "Give at most %(num)d items.", count)
    bounds = {
        "greater_than_equal": ("ge", _l("Enter a number of at least %(limit)s.")),
        "greater_than": ("gt", _l("Enter a number greater than %(limit)s.")),
        "less_than_equal": ("le", _l("Enter a number of at most %(limit)s.")),
        "less_than": ("lt", _l("Enter a number less than %(limit)s.")),
    }
    if kind in bounds and bounds[kind][0] in ctx:
        key, message = bounds[kind]
        return str(message) % {"limit": ctx[key]}
    if kind == "value_error":
        # Our validators raise ValueError with a translated sentence: pydantic prefixes it.
        text = str(error.get("msg", "")).removeprefix("Value error, ")
        if text.startswith("expected JSON "):  # webapp.api.Input: a JSON value of another type
            expected = text.removeprefix("expected JSON ").split(", got ")[0].split(" or ")
            kinds = ", ".join(str(_JSON_KINDS.get(kind, kind)) for kind in expected)
            return gettext("Wrong JSON type: send %(expected)s.", expected=kinds)
        known = _VALUE_ERRORS.get(text)
        return str(known) if known else (gettext(text) if text else _invalid())
    return str(_MESSAGES.get(kind)) if kind in _MESSAGES else _invalid()


def _invalid() -> str:
    return gettext("This value is not valid.")


def _number(ctx: Mapping[str, Any], key: str) -> int:
    value = ctx.get(key)
    return value if isinstance(value, int) else 0


# The sentences of the schemas' own validators, said the same way as pydantic's.
_VALUE_ERRORS = {
    "must not be blank": _l("This field is required."),
    "may not be null": _l("This field is required."),
    "'from' must not be after 'to'": _l("The start must not be after the end."),
}

_JSON_KINDS = {"number": _l("a number"), "text": _l("text"), "bool": _l("true or false")}

_MESSAGES = {
    "missing": _l("This field is required."),
    "string_too_short": _l("This field is required."),
    "too_short": _l("This field is required."),
    "string_type": _l("Enter text."),
    "string_pattern_mismatch": _l("This is not in the expected format."),
    "string_unicode": _l("Enter text."),
    "enum": _l("Pick one of the options."),
    "literal_error": _l("Pick one of the options."),
    "int_parsing": _l("Enter a whole number."),
    "int_type": _l("Enter a whole number."),
    "int_from_float": _l("Enter a whole number."),
    "float_parsing": _l("Enter a number."),
    "float_type": _l("Enter a number."),
    "decimal_parsing": _l("Enter a number."),
    "bool_parsing": _l("Choose yes or no."),
    "bool_type": _l("Choose yes or no."),
    "datetime_parsing": _l("Enter a date and time."),
    "datetime_from_date_parsing": _l("Enter a date and time."),
    "datetime_type": _l("Enter a date and time."),
    "timezone_aware": _l("Enter a date and time."),
    "date_parsing": _l("Enter a date."),
    "date_from_datetime_parsing": _l("Enter a date."),
    "date_type": _l("Enter a date."),
    "extra_forbidden": _l("This field is not expected."),
    "list_type": _l("Give a list."),
    "dict_type": _l("Give an object."),
    "model_type": _l("Give an object."),
    "model_attributes_type": _l("Give an object."),
    "json_invalid": _l("This is not valid JSON."),
    "url_parsing": _l("Enter a link."),
    "url_scheme": _l("Enter a link."),
    "uuid_parsing": _l("This value is not valid."),
}
