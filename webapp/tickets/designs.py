"""Questionnaire designs: the fields an organiser asks, and how each kind of answer is checked.

A design is a title (ru/en) and an ordered list of fields. Each field has a `key` (what the
answers are keyed by and the CSV column), a `kind`, labels and help text in Russian and
English, `required`, `options` for the choice kinds, and limits:

==============  ===================  ==============================================
kind            answer in JSON       limits
==============  ===================  ==============================================
text            text                 min_length, max_length (at most 1000)
long_text       text                 min_length, max_length (at most 5000)
email           text                 max_length (at most 254); a valid address
phone           text                 a valid number (no `+`: Russian), stored E.164
number          number               min_value, max_value, integer
choice          one option's value   options (at least one)
multi_choice    list of values       options; min_length, max_length = how many
checkbox        true or false        required means it must be ticked
date            "YYYY-MM-DD"         min_date, max_date
==============  ===================  ==============================================

A draft stores answers of the right JSON shape (too long text is refused at once);
`check_answers(..., complete=True)` is the submit check: every required answer, every
format and limit, each problem named `answers.<key>`.
"""

from __future__ import annotations

import enum
import re
from datetime import date
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from pydantic import Field

from webapp.api import Input
from webapp.errors import field_error
from webapp.i18n import validation_message

KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
DEFAULT_PHONE_REGION = "RU"
MAX_FIELDS = 60
# Names the page's form uses for itself: no question may take them.
RESERVED_KEYS = frozenset({"csrf_token", "event_id", "form", "notes", "questionnaire_id"})
MAX_OPTIONS = 50


class FieldKind(enum.StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    EMAIL = "email"
    PHONE = "phone"
    NUMBER = "number"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    CHECKBOX = "checkbox"
    DATE = "date"


FIELD_KIND_LABELS = {
    FieldKind.TEXT: _l("Short text"),
    FieldKind.LONG_TEXT: _l("Long text"),
    FieldKind.EMAIL: _l("Email address"),
    FieldKind.PHONE: _l("Phone number"),
    FieldKind.NUMBER: _l("Number"),
    FieldKind.CHOICE: _l("One of the options"),
    FieldKind.MULTI_CHOICE: _l("Several of the options"),
    FieldKind.CHECKBOX: _l("Tick box"),
    FieldKind.DATE: _l("Date"),
}

# The longest text each kind takes, whatever the design says.
TEXT_CEILING = {
    FieldKind.TEXT: 1000,
    FieldKind.LONG_TEXT: 5000,
    FieldKind.EMAIL: 254,
    FieldKind.PHONE: 32,
    FieldKind.CHOICE: 40,
    FieldKind.DATE: 10,
}
LENGTH_KINDS = {FieldKind.TEXT, FieldKind.LONG_TEXT, FieldKind.EMAIL, FieldKind.MULTI_CHOICE}
OPTION_KINDS = {FieldKind.CHOICE, FieldKind.MULTI_CHOICE}


class Words(Input):
    """A label in both languages."""

    en: str = Field(min_length=1, max_length=300)
    ru: str = Field(min_length=1, max_length=300)


class HelpWords(Input):
    """Help text in both languages (either may be empty)."""

    en: str = Field("", max_length=1000)
    ru: str = Field("", max_length=1000)


class OptionSpec(Input):
    value: str = Field(pattern=KEY_PATTERN)
    label: Words


class FieldSpec(Input):
    key: str = Field(pattern=KEY_PATTERN, description="lower case letters, digits, _")
    kind: FieldKind
    label: Words
    help: HelpWords = Field(default_factory=lambda: HelpWords(en="", ru=""))
    required: bool = False
    options: list[OptionSpec] = Field(default_factory=list, max_length=MAX_OPTIONS)
    min_length: int | None = Field(None, ge=0, le=5000)
    max_length: int | None = Field(None, ge=1, le=5000)
    min_value: float | None = Field(None, ge=-1e12, le=1e12)
    max_value: float | None = Field(None, ge=-1e12, le=1e12)
    integer: bool = False
    min_date: date | None = None
    max_date: date | None = None

    def text(self, words: Words | HelpWords, locale: str) -> str:
        return words.ru if locale == "ru" and words.ru else words.en

    def label_in(self, locale: str) -> str:
        return self.text(self.label, locale)

    def help_in(self, locale: str) -> str:
        return self.text(self.help, locale)

    def option_values(self) -> list[str]:
        return [option.value for option in self.options]

    def choices(self, locale: str) -> list[tuple[str, str]]:
        return [(option.value, self.text(option.label, locale)) for option in self.options]

    def option_label(self, value: str, locale: str) -> str:
        for option in self.options:
            if option.value == value:
                return self.text(option.label, locale)
        return value

    def longest(self) -> int:
        ceiling = TEXT_CEILING.get(self.kind, 0)
        return min(self.max_length or ceiling, ceiling) if ceiling else 0


class Design(Input):
    """A whole questionnaire design: its title and its ordered fields."""

    title: Words
    fields: list[FieldSpec] = Field(min_length=1, max_length=MAX_FIELDS)


def is_key(value: str) -> bool:
    """Whether `value` may be a key or an option's value."""
    return re.match(KEY_PATTERN, value) is not None


def stored_fields(design: Design) -> list[dict[str, Any]]:
    """The fields as stored in a version (JSON)."""
    return [spec.model_dump(mode="json") for spec in design.fields]


def load_fields(stored: list[dict[str, Any]]) -> list[FieldSpec]:
    return [FieldSpec.model_validate(spec) for spec in stored]


def check_design(design: Design) -> list[dict[str, str]]:
    """What a design may not say: each problem named `fields.<n>.<attribute>`."""
    errors: list[dict[str, str]] = []
    seen: set[str] = set()
    for n, spec in enumerate(design.fields):
        at = f"fields.{n}"
        if spec.key in seen:
            errors.append(field_error(f"{at}.key", _l("Two questions have this key.")))
        if spec.key in RESERVED_KEYS:
            errors.append(field_error(f"{at}.key", _l("This key is taken by the form itself.")))
        seen.add(spec.key)
        if spec.kind in OPTION_KINDS:
            values = spec.option_values()
            if not values:
                errors.append(field_error(f"{at}.options", _l("Give at least one option.")))
            if len(set(values)) != len(values):
                errors.append(field_error(f"{at}.options", _l("Two options have this value.")))
        elif spec.options:
            errors.append(field_error(f"{at}.options", _l("Only choice questions have options.")))
        if spec.kind in LENGTH_KINDS:
            ceiling = TEXT_CEILING.get(spec.kind) or len(spec.options)
            if spec.max_length is not None and spec.max_length > ceiling:
                errors.append(field_error(f"{at}.max_length", _max_message(spec, ceiling)))
            if (
                spec.min_length is not None
                and spec.max_length is not None
                and spec.min_length > spec.max_length
            ):
                errors.append(field_error(f"{at}.min_length", _l("The least is above the most.")))
        elif spec.min_length is not None or spec.max_length is not None:
            errors.append(field_error(f"{at}.max_length", _l("This kind has no length limits.")))
        if spec.kind == FieldKind.NUMBER:
            if (
                spec.min_value is not None
                and spec.max_value is not None
                and spec.min_value > spec.max_value
            ):
                errors.append(field_error(f"{at}.min_value", _l("The least is above the most.")))
        elif spec.min_value is not None or spec.max_value is not None or spec.integer:
            errors.append(field_error(f"{at}.max_value", _l("Only numbers have these limits.")))
        if spec.kind == FieldKind.DATE:
            if spec.min_date and spec.max_date and spec.min_date > spec.max_date:
                errors.append(field_error(f"{at}.min_date", _l("The least is above the most.")))
        elif spec.min_date is not None or spec.max_date is not None:
            errors.append(field_error(f"{at}.max_date", _l("Only dates have these limits.")))
    return errors


def _max_message(spec: FieldSpec, ceiling: int) -> str:
    if spec.kind == FieldKind.MULTI_CHOICE:
        return str(_l("There are fewer options than that."))
    return validation_message({"type": "less_than_equal", "ctx": {"le": ceiling}})


# --- answers -----------------------------------------------------------------------------


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value is False


def answer_error(key: str, message: Any) -> dict[str, str]:
    return field_error(f"answers.{key}", message)


def check_shapes(fields: list[FieldSpec], answers: dict[str, Any]) -> list[dict[str, str]]:
    """A draft's answers: known keys, the kind's JSON type, text no longer than allowed."""
    by_key = {spec.key: spec for spec in fields}
    errors: list[dict[str, str]] = []
    for key, value in answers.items():
        spec = by_key.get(key)
        if spec is None:
            errors.append(answer_error(key, _l("This questionnaire has no such question.")))
            continue
        if value is None:
            continue
        message = _shape_problem(spec, value)
        if message is not None:
            errors.append(answer_error(key, message))
    return errors


def _shape_problem(spec: FieldSpec, value: Any) -> str | None:
    if spec.kind == FieldKind.NUMBER:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else validation_message({"type": "float_type"})
    if spec.kind == FieldKind.CHECKBOX:
        return None if isinstance(value, bool) else validation_message({"type": "bool_type"})
    if spec.kind == FieldKind.MULTI_CHOICE:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            return str(_l("Send a list of the options' values."))
        if len(value) > len(spec.options):
            return str(_l("There are fewer options than that."))
        return None
    if not isinstance(value, str):
        return validation_message({"type": "string_type"})
    if len(value.strip()) > spec.longest():
        return validation_message(
            {"type": "string_too_long", "ctx": {"max_length": spec.longest()}}
        )
    if "\x00" in value:
        return validation_message({"type": "string_type"})
    return None


def clean(fields: list[FieldSpec], answers: dict[str, Any]) -> dict[str, Any]:
    """Answers as stored: text stripped, empty answers dropped."""
    by_key = {spec.key: spec for spec in fields}
    cleaned: dict[str, Any] = {}
    for key, value in answers.items():
        if isinstance(value, str):
            value = value.strip()
        if key in by_key and value is not None and value != "" and value != []:
            cleaned[key] = value
    return cleaned


def check_answers(
    fields: list[FieldSpec], answers: dict[str, Any], *, complete: bool
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The submit rules: (normalised answers, errors naming `answers.<key>`).

    `complete=False` checks only the answers given (the page shows these while the user
    types); `complete=True` also demands every required answer.
    """
    errors = check_shapes(fields, answers)
    bad = {error["field"] for error in errors}
    normalised: dict[str, Any] = {}
    for spec in fields:
        value = answers.get(spec.key)
        if f"answers.{spec.key}" in bad:
            continue
        if isinstance(value, str):
            value = value.strip()
        if is_empty(value):
            if complete and spec.required:
                errors.append(answer_error(spec.key, _l("This field is required.")))
            if value is False:
                normalised[spec.key] = False
            continue
        result = _check_one(spec, value)
        if isinstance(result, _Problem):
            errors.append(answer_error(spec.key, result.message))
        else:
            normalised[spec.key] = result
    return normalised, errors


class _Problem:
    def __init__(self, message: Any) -> None:
        self.message = message


def _check_one(spec: FieldSpec, value: Any) -> Any:
    """The normalised answer, or a `_Problem`."""
    kind = spec.kind
    if kind in (FieldKind.TEXT, FieldKind.LONG_TEXT):
        return _length(spec, value, len(value)) or value
    if kind == FieldKind.EMAIL:
        try:
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError:
            return _Problem(_l("Enter a valid email address."))
    if kind == FieldKind.PHONE:
        e164 = normalise_phone(value)
        return _Problem(_l("Enter a valid phone number.")) if e164 is None else e164
    if kind == FieldKind.NUMBER:
        return _number(spec, value)
    if kind == FieldKind.CHOICE:
        if value not in spec.option_values():
            return _Problem(_l("Choose one of the options."))
        return value
    if kind == FieldKind.MULTI_CHOICE:
        if any(item not in spec.option_values() for item in value) or len(set(value)) != len(value):
            return _Problem(_l("Choose from the options, each once."))
        return _length(spec, value, len(value), items=True) or value
    if kind == FieldKind.CHECKBOX:
        return value
    return _date(spec, value)


def _length(spec: FieldSpec, value: Any, size: int, *, items: bool = False) -> _Problem | None:
    if spec.min_length is not None and size < spec.min_length:
        if items:
            text = ngettext("Choose at least %(num)d.", "Choose at least %(num)d.", spec.min_length)
        else:
            kind = {"type": "string_too_short", "ctx": {"min_length": spec.min_length}}
            text = validation_message(kind)
        return _Problem(text)
    longest = spec.max_length if items else spec.longest()
    if longest is not None and size > longest:
        if items:
            text = ngettext("Choose at most %(num)d.", "Choose at most %(num)d.", longest)
        else:
            text = validation_message({"type": "string_too_long", "ctx": {"max_length": longest}})
        return _Problem(text)
    return None


def _number(spec: FieldSpec, value: float) -> Any:
    if spec.integer and value != int(value):
        return _Problem(validation_message({"type": "int_from_float"}))
    if spec.min_value is not None and value < spec.min_value:
        limit = _plain(spec.min_value)
        return _Problem(validation_message({"type": "greater_than_equal", "ctx": {"ge": limit}}))
    if spec.max_value is not None and value > spec.max_value:
        limit = _plain(spec.max_value)
        return _Problem(validation_message({"type": "less_than_equal", "ctx": {"le": limit}}))
    return int(value) if spec.integer else value


def _plain(number: float) -> int | float:
    return int(number) if number == int(number) else number


def _date(spec: FieldSpec, value: str) -> Any:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return _Problem(_l("Enter a date as YYYY-MM-DD."))
    if len(value) != 10:
        return _Problem(_l("Enter a date as YYYY-MM-DD."))
    if spec.min_date is not None and day < spec.min_date:
        return _Problem(_l("No earlier than %(day)s.", day=spec.min_date.isoformat()))
    if spec.max_date is not None and day > spec.max_date:
        return _Problem(_l("No later than %(day)s.", day=spec.max_date.isoformat()))
    return day.isoformat()


def normalise_phone(raw: str) -> str | None:
    """A valid phone number in E.164 (`+79991234567`), or None."""
    try:
        number = phonenumbers.parse(raw, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def search_text(fields: list[FieldSpec], answers: dict[str, Any]) -> str | None:
    """The text answers joined, lower case (the admins' search looks here)."""
    kinds = {FieldKind.TEXT, FieldKind.LONG_TEXT, FieldKind.EMAIL, FieldKind.PHONE}
    parts = [
        str(answers[spec.key])
        for spec in fields
        if spec.kind in kinds and isinstance(answers.get(spec.key), str)
    ]
    joined = " | ".join(parts).lower()[:4000]
    return joined or None


# --- the default design: today's fixed questions -----------------------------------------


def default_design(ticket_types: list[str], names: dict[str, dict[str, str]]) -> Design:
    """The questions Hub asked before designs existed (the migration writes the same)."""
    return Design.model_validate(default_design_data(ticket_types, names))


def default_design_data(
    ticket_types: list[str], names: dict[str, dict[str, str]]
) -> dict[str, Any]:
    options = [
        {
            "value": key,
            "label": {
                "en": names.get(key, {}).get("en") or key,
                "ru": names.get(key, {}).get("ru") or names.get(key, {}).get("en") or key,
            },
        }
        for key in ticket_types
    ]
    return {
        "title": {"en": "Ticket request", "ru": "Заявка на билеты"},
        "fields": [
            {
                "key": "name",
                "kind": "text",
                "label": {"en": "Name", "ru": "Имя"},
                "required": True,
                "max_length": 200,
            },
            {
                "key": "email",
                "kind": "email",
                "label": {"en": "Email", "ru": "Эл. почта"},
                "required": True,
            },
            {
                "key": "phone",
                "kind": "phone",
                "label": {"en": "Phone", "ru": "Телефон"},
                "required": True,
            },
            {
                "key": "ticket_type",
                "kind": "choice",
                "label": {"en": "Ticket type", "ru": "Тип билета"},
                "required": True,
                "options": options,
            },
            {
                "key": "quantity",
                "kind": "number",
                "label": {"en": "How many tickets (1–10)", "ru": "Сколько билетов (1–10)"},  # noqa: RUF001
                "required": True,
                "integer": True,
                "min_value": 1,
                "max_value": 10,
            },
            {
                "key": "dietary_requirements",
                "kind": "long_text",
                "label": {"en": "Dietary requirements", "ru": "Пищевые ограничения"},
                "max_length": 500,
            },
            {
                "key": "accessibility_needs",
                "kind": "long_text",
                "label": {
                    "en": "Accessibility needs",
                    "ru": "Особые потребности (доступность)",
                },
                "max_length": 500,
            },
        ],
    }
