"""Questionnaires under concurrency, on a real PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from tests.fixtures.app import app_with_tables
from tests.fixtures.services import concurrent_engine_options
from tests.fixtures.users import headers_for
from webapp.extensions import db
from webapp.tickets.models import Questionnaire, QuestionnaireVersion
from webapp.users.models import Role, User

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(postgres_url):
    with app_with_tables(
        postgres_url, {"SQLALCHEMY_ENGINE_OPTIONS": concurrent_engine_options()}
    ) as app:
        yield app


def _users(app, count, role=Role.STUDENT):
    with app.app_context():
        users = [User(telegram_id=910_000 + i, first_name=f"U{i}", role=role) for i in range(count)]
        db.session.add_all(users)
        db.session.commit()
        for user in users:
            db.session.refresh(user)
            db.session.expunge(user)
        return users


def _counts(app):
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Questionnaire)),
            sorted(db.session.scalars(select(QuestionnaireVersion.number))),
        )


def test_the_default_questionnaire_is_made_once(pg_app):
    """Do 16 users asking at once for the questionnaire of a database that has none get
    the same default one, made once with one version?"""
    users = _users(pg_app, 16)
    barrier = threading.Barrier(16)

    def ask(user):
        client = pg_app.test_client()
        headers = headers_for(user)
        barrier.wait()
        answer = client.get("/api/forms/questionnaire", headers=headers)
        return answer.status_code, answer.get_json()["id"]

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(ask, users))
    assert {code for code, _id in answers} == {200} and len({i for _c, i in answers}) == 1
    assert _counts(pg_app) == (1, [1])


def test_design_changes_at_once_each_get_their_own_version(pg_app):
    """Do 8 admins changing the default design at the same moment each get a version of
    their own (2 to 9), none lost and no error?"""
    admins = _users(pg_app, 8, Role.ADMIN)
    with pg_app.app_context():
        from webapp.tickets import services

        services.default_questionnaire()
        db.session.commit()
    barrier = threading.Barrier(8)

    def change(numbered):
        n, admin = numbered
        client = pg_app.test_client()
        headers = headers_for(admin)
        body = {
            "title": {"en": f"Design {n}", "ru": f"Вариант {n}"},
            "fields": [{"key": "name", "kind": "text", "label": {"en": "Name", "ru": "Имя"}}],
        }
        barrier.wait()
        answer = client.put("/api/admin/questionnaires/1", json=body, headers=headers)
        return answer.status_code, answer.get_json()["version"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(change, enumerate(admins)))
    assert {code for code, _v in answers} == {200}
    assert sorted(version for _c, version in answers) == list(range(2, 10))
    assert _counts(pg_app) == (1, list(range(1, 10)))
