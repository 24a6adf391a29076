"""The audit log, read-only: who changed what, when, before and after."""

from __future__ import annotations

import json
from typing import Any

from flask_admin import Admin
from flask_babel import lazy_gettext as _l

from webapp.admin.access import SecureModelView
from webapp.admin.formatters import code_column, json_column
from webapp.admin.models import AuditEntry
from webapp.extensions import db


def _actor(_view: Any, _context: Any, entry: AuditEntry, _name: str) -> str:
    if entry.actor is None:
        return ""
    return f"{entry.actor.display_name} (#{entry.actor_id})"


class AuditView(SecureModelView):
    column_list = ("at", "actor", "action", "target_type", "target_id", "before", "after")
    column_details_list = column_list
    column_filters = ("action", "target_type", "target_id", "actor_id", "at")
    column_searchable_list = ("action", "target_type", "target_id")
    column_default_sort = ("at", True)
    column_labels = {
        "at": _l("When"),
        "actor": _l("Who"),
        "actor_id": _l("Who (user id)"),
        "action": _l("Action"),
        "target_type": _l("Target type"),
        "target_id": _l("Target id"),
        "before": _l("Before"),
        "after": _l("After"),
    }
    column_formatters = {
        "before": json_column,
        "after": json_column,
        "actor": _actor,
        "action": code_column,
        "target_type": code_column,
    }
    column_formatters_detail = column_formatters
    can_export = True
    export_types = ["csv"]
    column_export_list = ("at", "actor_id", "action", "target_type", "target_id", "before", "after")
    column_formatters_export = {
        "before": lambda _v, _c, entry, _n: json.dumps(entry.before, sort_keys=True),
        "after": lambda _v, _c, entry, _n: json.dumps(entry.after, sort_keys=True),
    }


def register(admin: Admin) -> None:
    admin.add_view(AuditView(AuditEntry, db, name=_l("Audit log"), endpoint="audit"))
