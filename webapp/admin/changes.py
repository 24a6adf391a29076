"""One way for a dashboard view to change something: service call + audit entry + commit.

    audited_change(
        "user.role",
        load=lambda: users.get_user(user_id),
        change=lambda actor: users.set_role(actor, user_id, role),
        describe=lambda user: snapshot(user, ("role",)),
    )

The service enforces the rules (it takes the acting admin); a `DomainError` it raises is
rolled back and shown as a flash message, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import flash
from flask_babel import gettext as _

from webapp.admin.access import require_dashboard_user
from webapp.admin.audit import record
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.users.models import User

T = TypeVar("T")


def domain_message(exc: DomainError) -> str:
    """The refusal's sentence, and each field's message when it names fields."""
    message = str(exc.detail or exc.title)
    if exc.errors:
        message = " ".join([message, *(str(error.get("message", "")) for error in exc.errors)])
    return message


def audited_change(
    action: str,
    *,
    load: Callable[[], T | None] | None,
    change: Callable[[User], T | None],
    describe: Callable[[T], dict[str, Any]],
    done: str | None = None,
    refused: Callable[[DomainError], None] | None = None,
) -> T | None:
    """Apply `change` as the dashboard user, log it with before/after, commit.

    `load` gives the object before the change (None when the change creates it). Returns
    the changed object, or None when a rule refused the change (flashed, or handed to
    `refused`: a form shows each field's message next to its field).
    """
    actor = require_dashboard_user()
    try:
        target = load() if load is not None else None
        before = describe(target) if target is not None else None
        result = change(actor)
        changed = target if result is None else result
        if changed is None:  # pragma: no cover - a change must say what it changed
            raise TypeError(f"{action}: the change returned nothing to log")
        record(actor, action, changed, before, describe(changed))
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        if refused is not None:
            refused(exc)
        else:
            flash(domain_message(exc), "error")
        return None
    flash(done or _("Saved."), "success")
    return changed
