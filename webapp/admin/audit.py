"""Write the audit log: `record()` adds an entry in the caller's unit of work.

The entry is flushed with the change it describes and committed by the same view, so a
change without its entry (or an entry without its change) cannot happen.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect as sa_inspect

from webapp.admin.models import AuditEntry
from webapp.extensions import db
from webapp.users.models import User


def json_value(value: Any) -> Any:
    """A JSON-safe copy of a column value (enums, datetimes, decimals, nested data)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_value(v) for v in value]
    return str(value)


def snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The named attributes of `obj`, JSON-safe: the `before`/`after` of an entry."""
    return {name: json_value(getattr(obj, name)) for name in fields}


def describe_target(target: Any) -> tuple[str, str]:
    """`(target_type, target_id)` of a model instance, or of an explicit pair."""
    if isinstance(target, tuple):
        kind, ident = target
        return str(kind), str(ident)
    mapper = sa_inspect(type(target))
    identity = mapper.primary_key_from_instance(target)
    return mapper.local_table.name, ":".join(str(part) for part in identity)


def record(
    actor: User,
    action: str,
    target: Any,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry for `actor` doing `action` to `target` (a model or `(type, id)`)."""
    target_type, target_id = describe_target(target)
    entry = AuditEntry(
        actor_id=actor.id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=json_value(before) if before is not None else None,
        after=json_value(after) if after is not None else None,
    )
    db.session.add(entry)
    db.session.flush()
    return entry
