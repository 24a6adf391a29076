"""What the task tests share: the signed-in student's headers, adding a task through the API,
and an app on its own database for the tests where two devices act at once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.fixtures.app import app_with_tables
from tests.fixtures.users import headers_for


@pytest.fixture
def me(student):
    return headers_for(student)


def add_task(client: FlaskClient, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    """Add a task through the API (title "Task" unless given) and return its JSON."""
    answer = client.post("/api/tasks", json={"title": "Task", **fields}, headers=headers)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgres), "sqlite"])
def shared_app(request: pytest.FixtureRequest, tmp_path) -> Iterator[Flask]:
    """An app on a database of its own, whose pool lets a few threads act at once."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
        engine: dict[str, Any] = {"pool_size": 4, "max_overflow": 0, "pool_timeout": 60}
    else:
        url = f"sqlite:///{tmp_path / 'tasks.db'}"
        engine = {"pool_size": 4, "max_overflow": 0, "connect_args": {"timeout": 30}}
    with app_with_tables(url, {"SQLALCHEMY_ENGINE_OPTIONS": engine}) as app:
        yield app
