"""Every dashboard view, one module per feature; the menu follows `VIEW_MODULES`.

A module `webapp/admin/views/<name>.py` exposes `register(admin)`, which adds its views
(`admin.add_view(...)`). To add a feature to the dashboard, write that module and put its
name here — see docs/DEVELOPING.md, "Adding a module to the dashboard".
"""

from __future__ import annotations

from importlib import import_module

from flask_admin import Admin

VIEW_MODULES: tuple[str, ...] = (
    "users",
    "tasks",
    "events",
    "tickets",
    "problems",
    "market",
    "analytics",
    "broadcasts",
    "outbox",
    "jobs",
    "audit",
)


def register_all(admin: Admin) -> None:
    for name in VIEW_MODULES:
        import_module(f"{__name__}.{name}").register(admin)
