"""Categories are configured per deployment with an English and a Russian name each
(`MARKET_CATEGORIES=key=English|Русский,…`), and every reader sees their language's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.fixtures.app import app_with_tables
from tests.fixtures.users import headers_for
from tests.market.conftest import ORDER
from webapp.extensions import db
from webapp.users.models import User

CATEGORIES = "piano=Piano tuning|Настройка пианино,courier,garden=Garden"


@pytest.fixture
def own_app(tmp_path) -> Iterator[Flask]:
    """An app of a deployment with its own categories."""
    with app_with_tables(
        f"sqlite:///{tmp_path / 'own.db'}", environ={"MARKET_CATEGORIES": CATEGORIES}
    ) as app:
        yield app


def test_the_config_lists_each_category_with_both_names(own_app):
    """Does `GET /api/config` list the deployment's categories with both names, a bare key
    taking the default list's names, a name in one language standing for both?"""
    client = own_app.test_client()
    body = client.get("/api/config", headers={"Accept-Language": "ru"}).get_json()
    assert body["categories"] == ["piano", "courier", "garden"]
    assert body["category_names"] == [
        {"key": "piano", "name": "Настройка пианино", "name_en": "Piano tuning",
         "name_ru": "Настройка пианино"},
        {"key": "courier", "name": "Курьер", "name_en": "Courier", "name_ru": "Курьер"},
        {"key": "garden", "name": "Garden", "name_en": "Garden", "name_ru": "Garden"},
    ]  # fmt: skip
    english = client.get("/api/config", headers={"Accept-Language": "en"}).get_json()
    assert english["category_names"][0]["name"] == "Piano tuning"


def test_pages_show_the_category_in_the_readers_language(own_app):
    """Does an order of the deployment's own category show its Russian name to a Russian
    reader and its English one to an English reader, and is an unlisted category refused?"""
    client = own_app.test_client()
    with own_app.app_context():
        owner = User(telegram_id=4242, first_name="Owner")
        db.session.add(owner)
        db.session.commit()
        db.session.refresh(owner)
        db.session.expunge(owner)
    posted = client.post(
        "/api/orders", json={**ORDER, "category": "piano"}, headers=headers_for(owner)
    )
    assert posted.status_code == 201
    russian = client.get(f"/orders/{posted.get_json()['id']}?lang=ru").get_data(as_text=True)
    assert "Настройка пианино" in russian and "Piano tuning" not in russian
    english = client.get("/orders?lang=en").get_data(as_text=True)
    assert "Piano tuning" in english and "Настройка пианино" not in english
    refused = client.post(
        "/api/orders", json={**ORDER, "category": "repair"}, headers=headers_for(owner)
    )
    assert refused.status_code == 422
