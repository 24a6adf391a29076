"""The migration that creates the admin-kept choices (`choices_0001`) writes the
deployment's configured categories and ticket types, so an existing deployment offers
exactly what it offered before; a category an existing order has that the list no longer
names is kept, inactive. (The whole chain of migrations runs once: about 3 s on SQLite.)"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from tests.fixtures.app import build_app
from webapp.core import choices
from webapp.extensions import db

pytestmark = [
    pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index"),
]
NOW = "2026-01-01 10:00:00+00:00"


def test_the_migration_seeds_the_configured_lists(tmp_path):
    """Are the configured categories (with their names, in order) and ticket types written,
    an old order's unlisted category added as inactive, and does the app then read the
    table (the unlisted one shown by its key, refused for new orders)?"""
    environ = {
        "MARKET_CATEGORIES": "piano=Piano tuning|Настройка пианино,courier",
        "TICKET_TYPES": "early=Early bird|Ранняя пташка",
    }
    app = build_app(f"sqlite:///{tmp_path / 'migrated.db'}", environ=environ)
    with app.app_context():
        upgrade(revision="market_0006")
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO users (id, first_name, is_premium, role, is_banned, "
                    "session_version, created_at, updated_at) "
                    "VALUES (1, 'A', false, 'student', false, 1, :now, :now)"
                ),
                {"now": NOW},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO orders (id, client_id, category, city, description, "
                    "search_text, contact, status, takes_count, created_at, updated_at, "
                    "expires_at) VALUES ('o1', 1, 'bikes', 'Moscow', 'x', 'x', '1', "
                    "'active', 0, :now, :now, :now)"
                ),
                {"now": NOW},
            )
        upgrade()
        rows = db.session.execute(
            sa.select(
                choices.Choice.kind,
                choices.Choice.key,
                choices.Choice.name_en,
                choices.Choice.name_ru,
                choices.Choice.active,
            ).order_by(choices.Choice.kind, choices.Choice.position)
        ).all()
        assert [tuple(row) for row in rows] == [
            ("category", "piano", "Piano tuning", "Настройка пианино", True),
            ("category", "courier", "Courier", "Курьер", True),
            ("category", "bikes", "bikes", "bikes", False),
            ("ticket_type", "early", "Early bird", "Ранняя пташка", True),
        ]
        assert choices.active_keys("category") == ["piano", "courier"]
        assert choices.display_names("category")["bikes"] == {"en": "bikes", "ru": "bikes"}
        db.session.remove()
        db.engine.dispose()
