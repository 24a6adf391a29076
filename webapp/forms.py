"""Page-form helpers shared by the module pages (tasks, events, tickets).

A page form is validated by the same pydantic model as the JSON API, so a rule lives in
one place; these helpers only turn form fields into that model's input and its errors
into translated messages next to each field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def message_for(error_type: str, fallback: str) -> str:
    """A translated message for a pydantic error type."""
    messages = {
        "missing": _("This field is required."),
        "string_too_short": _("This field is required."),
        "string_too_long": _("This is too long."),
        "enum": _("Pick one of the options."),
        "literal_error": _("Pick one of the options."),
        "int_parsing": _("Enter a whole number."),
        "greater_than_equal": _("This number is too small."),
        "less_than_equal": _("This number is too large."),
        "datetime_from_date_parsing": _("Enter a date and time."),
        "datetime_parsing": _("Enter a date and time."),
        "timezone_aware": _("Enter a date and time."),
    }
    return messages.get(error_type, fallback)


def errors_by_field(errors: list[dict[str, str]]) -> dict[str, str]:
    """`[{"field", "message", "type"}]` → `{field: message}` (the first per field)."""
    found: dict[str, str] = {}
    for error in errors:
        field = error["field"].split(".")[-1] if error["field"] else "form"
        found.setdefault(field, message_for(error.get("type", ""), error["message"]))
    return found


def validate_form(schema: type[M], data: dict[str, Any]) -> tuple[M | None, dict[str, str]]:
    """Validate form fields with an API schema: (model, {}) or (None, {field: message})."""
    try:
        return schema.model_validate(data), {}
    except ValidationError as exc:
        errors = [
            {
                "field": ".".join(str(p) for p in err["loc"]),
                "message": err["msg"],
                "type": err["type"],
            }
            for err in exc.errors(include_url=False)
        ]
        return None, errors_by_field(errors)


def form_datetime(value: str | None) -> datetime | str | None:
    """A `datetime-local` form value, read as UTC (the pages label times "UTC").

    Blank is None; anything unparsable is returned as is so the schema reports it.
    """
    if not value or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def wants_fragment(request_headers: Any, target: str) -> bool:
    """Did HTMX ask for the element `target` only (not the whole page)?"""
    return (
        request_headers.get("HX-Request") == "true"
        and request_headers.get("HX-Target") == target
        and not request_headers.get("HX-History-Restore-Request")
    )
