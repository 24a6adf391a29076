"""The migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.fixtures.app import build_app
from webapp.extensions import db

# Expression indexes (lower(login)) cannot be reflected or compared; both libraries say so.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index"),
    pytest.mark.filterwarnings("ignore:autogenerate skipping"),
]


def _differences(app) -> list:
    with app.app_context(), db.engine.connect() as conn:
        dialect = conn.dialect.name

        def for_this_dialect(obj, name, type_, reflected, compare_to) -> bool:
            """An index declared for one dialect only (`.ddl_if(dialect=…)`, the orders'
            trigram index on PostgreSQL) is compared there only."""
            only = getattr(obj, "_ddl_if", None)
            return only is None or only.dialect in (None, dialect)

        opts = {"compare_type": True, "include_object": for_this_dialect}
        context = MigrationContext.configure(conn, opts=opts)
        return compare_metadata(context, db.metadata)


def _upgrade_and_compare(url: str) -> None:
    app = build_app(url)
    with app.app_context():
        upgrade()
    assert _differences(app) == []
    with app.app_context():
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()


def test_migrations_match_models_on_sqlite(tmp_path):
    """Does `flask db upgrade` on an empty SQLite file give exactly the models' schema?"""
    _upgrade_and_compare(f"sqlite:///{tmp_path / 'migrated.db'}")


@pytest.mark.postgres
def test_migrations_match_models_on_postgres(postgres_url):
    """Does `flask db upgrade` on an empty PostgreSQL database give the models' schema?"""
    _upgrade_and_compare(postgres_url)
