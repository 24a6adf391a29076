"""The questionnaire migration keeps every existing ticket form as it was.

Each test migrates a database of its own from the revision before (about 5 s on SQLite:
the whole chain of migrations runs twice).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests.fixtures.app import build_app
from webapp.extensions import db

pytestmark = [
    pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index"),
]

MIGRATION = Path(__file__).parents[2] / "migrations/versions/tickets_0001_questionnaires.py"


def _before() -> str:
    spec = importlib.util.spec_from_file_location("tickets_0001", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.down_revision)


OLD_FORM = {
    "name": "=Анна",
    "email": "anna@example.com",
    "phone": "+79123456789",
    "ticket_type": "early",
    "quantity": 3,
    "dietary_requirements": "vegan",
    "accessibility_needs": None,
}


def _migrate_a_form(url: str) -> None:
    app = build_app(url)
    with app.app_context():
        upgrade(revision=_before())
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO users (id, first_name, is_premium, role, is_banned, "
                    "session_version, created_at, updated_at) "
                    "VALUES (1, 'A', false, 'student', false, 1, :now, :now)"
                ),
                {"now": "2026-01-01 10:00:00+00:00"},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO ticket_forms (id, user_id, status, name, email, phone, "
                    "ticket_type, quantity, dietary_requirements, accessibility_needs, "
                    "submitted_at, created_at, updated_at) VALUES (7, 1, 'submitted', :name, "
                    ":email, :phone, :ticket_type, :quantity, :dietary_requirements, "
                    ":accessibility_needs, :now, :now, :now)"
                ),
                {**OLD_FORM, "now": "2026-01-01 10:00:00+00:00"},
            )
        upgrade()
        from webapp.tickets import services
        from webapp.tickets.models import TicketForm

        form = db.session.get(TicketForm, 7)
        assert form is not None
        expected = {k: v for k, v in OLD_FORM.items() if v is not None}
        assert form.answers == expected and form.questionnaire_version == 1
        assert form.search_text is not None and "=анна" in form.search_text
        default = services.default_questionnaire()
        assert form.questionnaire_id == default.id
        fields = services.fields_of(form.version)
        options = next(f for f in fields if f.key == "ticket_type").option_values()
        assert options == ["standard", "vip"]  # the ticket types that may be chosen now
        shown = services.fields_to_show(form.version)
        # A type only old forms used stays (kept inactive by choices_0002): shown by name.
        assert next(f for f in shown if f.key == "ticket_type").option_values() == [
            "standard",
            "vip",
            "early",
        ]
        db.session.remove()
        downgrade(revision=_before())
        with db.engine.connect() as conn:
            row = conn.execute(sa.text("SELECT * FROM ticket_forms WHERE id = 7")).mappings().one()
            assert {k: row[k] for k in OLD_FORM} == OLD_FORM
        db.engine.dispose()


def test_forms_survive_the_migration_on_sqlite(tmp_path):
    """Are an existing form's columns its answers to the default design after the upgrade,
    and its columns again after the downgrade (SQLite)?"""
    _migrate_a_form(f"sqlite:///{tmp_path / 'forms.db'}")


@pytest.mark.postgres
def test_forms_survive_the_migration_on_postgres(postgres_url):
    """The same on PostgreSQL."""
    _migrate_a_form(postgres_url)
