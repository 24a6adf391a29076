"""Bot test helpers: an app of a test's own config, emptied afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from tests.fixtures.app import build_app, empty_tables
from webapp.extensions import db


@pytest.fixture
def build(schema: str) -> Iterator[Callable[..., Flask]]:
    """`build(overrides, environ)`: an app on the session's database; tables emptied after."""
    built: list[Flask] = []

    def make(overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None):
        app = build_app(schema, overrides, environ)
        built.append(app)
        return app

    yield make
    for app in built:
        empty_tables(app)
        with app.app_context():
            db.engine.dispose()
