"""An order's city may be named as the city directory knows it: stored as configured."""

from __future__ import annotations

import pytest

from tests.fixtures.users import headers_for
from tests.market.conftest import ORDER


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("Moscow", "Moscow"),
        ("Москва", "Moscow"),
        ("мск", "Moscow"),
        ("moskva", "Moscow"),
        ("Санкт-Петербург", "Saint Petersburg"),
        ("питер", "Saint Petersburg"),
        ("СПб", "Saint Petersburg"),
        ("Казань", "Kazan"),
        ("екб", "Yekaterinburg"),
        ("  kazan ", "Kazan"),
    ],
)
def test_a_city_the_directory_knows_is_stored_as_configured(client, student, sent, stored):
    """Does `POST /api/orders` take «Москва» or «питер» and store the configured name?"""
    answer = client.post("/api/orders", json={**ORDER, "city": sent}, headers=headers_for(student))
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["city"] == stored
    feed = client.get("/api/orders", query_string={"city": stored}).get_json()
    assert [order["city"] for order in feed["items"]] == [stored]


@pytest.mark.parametrize("city", ["Тула", "tula", "Atlantis", "Моск", "-"])
def test_a_city_outside_the_configured_ones_is_still_refused(client, student, city):
    """Is a real but unconfigured city (Tula), a prefix or a made-up name still a 422?"""
    answer = client.post("/api/orders", json={**ORDER, "city": city}, headers=headers_for(student))
    assert answer.status_code == 422
    assert any(error["field"] == "city" for error in answer.get_json()["errors"])


def test_naming_the_same_city_another_way_is_no_change(client, student, post_order):
    """May the client resend the city of an untaken order as «Москва» (the same city)?"""
    order = post_order(student, city="Moscow")
    path = f"/api/orders/{order['id']}"
    same = client.put(path, json={"city": "Москва"}, headers=headers_for(student))
    assert same.status_code == 200, same.get_json()
    assert same.get_json()["city"] == "Moscow"
    other = client.put(path, json={"city": "Казань"}, headers=headers_for(student))
    assert other.status_code == 409
