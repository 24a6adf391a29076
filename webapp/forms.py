"""Page forms: validated by the same pydantic schemas as the JSON API.

A page form gives the same field errors the API gives as a 422 (the same rules, the same
translated sentences, `webapp.i18n.validation_message`); these helpers only turn form
fields into a schema's input and its errors into `{field: message}` for the template.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask_babel import to_utc
from pydantic import BaseModel, ValidationError

from webapp.i18n import validation_message

M = TypeVar("M", bound=BaseModel)


def errors_by_field(errors: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """`[{"field", "message", "type"}]` (a 422's `errors`) → `{field: message}`, the first
    message per field; the field is the last part of its dotted path ("form" when none)."""
    found: dict[str, str] = {}
    for error in errors:
        path = str(error.get("field") or "")
        field = path.split(".")[-1] if path and path != "body" else "form"
        found.setdefault(field, str(error.get("message", "")))
    return found


def validate_form(schema: type[M], data: Mapping[str, Any]) -> tuple[M | None, dict[str, str]]:
    """Validate form fields with an API schema: `(model, {})` or `(None, {field: message})`."""
    try:
        return schema.model_validate(dict(data)), {}
    except ValidationError as exc:
        found: dict[str, str] = {}
        for err in exc.errors(include_url=False, include_input=False):
            loc = [str(part) for part in err.get("loc", ())]
            found.setdefault(loc[-1] if loc else "form", validation_message(err))
        return None, found


def form_datetime(value: str | None) -> datetime | str | None:
    """A `datetime-local` form value, read in the user's time zone (an aware UTC datetime).

    Blank is None; anything unparsable is returned as is so the schema reports it.
    """
    if not value or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    if moment.tzinfo is not None:
        return moment
    return to_utc(moment).replace(tzinfo=UTC)
