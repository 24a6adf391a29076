"""Orders and subscriptions name any city of the directory, by id or by a name it knows;
the configured cities are the popular ones, listed first and keeping their keys."""

from __future__ import annotations

import pytest

from tests.fixtures.users import headers_for
from tests.market.conftest import ORDER
from webapp.extensions import db
from webapp.market.models import Frequency, Preferences
from webapp.outbox import queued_for

MOSCOW, SAINT_PETERSBURG, KAZAN, TULA = 524901, 498817, 551487, 480562


@pytest.mark.parametrize(
    ("sent", "key", "city_id"),
    [
        ("Moscow", "Moscow", MOSCOW),
        ("Москва", "Moscow", MOSCOW),
        ("мск", "Moscow", MOSCOW),
        ("питер", "Saint Petersburg", SAINT_PETERSBURG),
        ("СПб", "Saint Petersburg", SAINT_PETERSBURG),
        ("  kazan ", "Kazan", KAZAN),
        ("Тула", "Tula", TULA),
        ("tula", "Tula", TULA),
        (TULA, "Tula", TULA),
        (str(TULA), "Tula", TULA),
    ],
)
def test_any_directory_city_is_stored_by_its_id(client, student, sent, key, city_id):
    """Is a city named by id, name, transliteration or short name stored by its directory id
    (a popular one keeping its configured key), and found by the feed filter?"""
    answer = client.post("/api/orders", json={**ORDER, "city": sent}, headers=headers_for(student))
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert (body["city"], body["city_id"]) == (key, city_id)
    for wanted in (city_id, key, sent):
        feed = client.get("/api/orders", query_string={"city": wanted}).get_json()
        assert [order["id"] for order in feed["items"]] == [body["id"]]


@pytest.mark.parametrize("city", ["Atlantis", "Моск", "-", 999_999_999, 0, -5, True])
def test_a_city_the_directory_does_not_know_is_refused(client, student, city):
    """Is a made-up name, a mere prefix, an unknown id or a non-city value a 422 on `city`?"""
    answer = client.post("/api/orders", json={**ORDER, "city": city}, headers=headers_for(student))
    assert answer.status_code == 422
    assert any(error["field"] == "city" for error in answer.get_json()["errors"])


def test_the_city_name_speaks_the_readers_language(client, student):
    """Does an order show its city in the reader's language, on the API and its pages?"""
    order = client.post(
        "/api/orders", json={**ORDER, "city": "tula"}, headers=headers_for(student)
    ).get_json()
    assert order["city_name"] == "Tula"
    russian = client.get(f"/api/orders/{order['id']}", headers={"Accept-Language": "ru"})
    assert russian.get_json()["city_name"] == "Тула"
    page = client.get(f"/orders/{order['id']}?lang=ru").get_data(as_text=True)
    assert "Тула" in page and "Tula" not in page
    feed = client.get(f"/orders?city={TULA}&lang=ru").get_data(as_text=True)
    assert order["id"] in feed and "Тула" in feed


def test_the_feed_filter_refuses_an_unknown_city(client):
    """Is a feed filter naming no city of the directory a 422 on `city` (not an empty list
    that looks like "no orders there")?"""
    answer = client.get("/api/orders?city=Atlantis")
    assert answer.status_code == 422
    assert answer.get_json()["errors"][0]["field"] == "city"
    assert client.get("/orders?city=Atlantis").status_code == 200  # the page: no filter


def test_naming_the_same_city_another_way_is_no_change(client, student, post_order):
    """May the client resend the city of an untaken order as «Москва» or its id, and is
    another city still a 409?"""
    order = post_order(student, city="Moscow")
    path = f"/api/orders/{order['id']}"
    for same in ("Москва", MOSCOW):
        answer = client.put(path, json={"city": same}, headers=headers_for(student))
        assert answer.status_code == 200
        assert (answer.get_json()["city"], answer.get_json()["city_id"]) == ("Moscow", MOSCOW)
    for other in ("Казань", TULA):
        answer = client.put(path, json={"city": other}, headers=headers_for(student))
        assert answer.status_code == 409


def test_the_popular_cities_are_listed_with_both_names(client):
    """Does `GET /api/config` still list the configured keys, and each popular city with its
    directory id and its English and Russian names, in the configured order?"""
    body = client.get("/api/config", headers={"Accept-Language": "ru"}).get_json()
    assert body["cities"][:3] == ["Moscow", "Saint Petersburg", "Kazan"]
    first = body["popular_cities"][0]
    assert first == {
        "key": "Moscow",
        "id": MOSCOW,
        "name": "Москва",
        "name_en": "Moscow",
        "name_ru": "Москва",
        "region_en": "Moscow",
        "region_ru": "Москва",
    }
    assert [city["key"] for city in body["popular_cities"]] == body["cities"]


def test_subscriptions_take_ids_and_names(app, client, make_user, post_order):
    """Are subscribed cities stored as ids (popular first), answered as ids and as old
    clients' keys, and does an order in a non-popular city reach its subscriber?"""
    executor, owner = make_user(), make_user()
    prefs = {"categories": ["courier"], "cities": ["Тула", MOSCOW, "moskva"]}
    answer = client.put("/api/users/me/preferences", json=prefs, headers=headers_for(executor))
    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["city_ids"], body["cities"]) == ([MOSCOW, TULA], ["Moscow", "Tula"])
    with app.app_context():
        assert db.session.get(Preferences, executor.id).city_ids == [MOSCOW, TULA]
    me = client.get("/api/users/me", headers=headers_for(executor)).get_json()
    assert me["market"]["preferences"]["city_ids"] == [MOSCOW, TULA]
    assert me["market"]["preferences"]["frequency"] == Frequency.INSTANT.value
    post_order(owner, city="tula")
    post_order(owner, city="Kazan")
    with app.app_context():
        texts = [message.text for message in queued_for(executor.telegram_id)]
    assert len(texts) == 1 and "Tula" in texts[0]
    wrong = {"categories": [], "cities": ["Atlantis", TULA]}
    answer = client.put("/api/users/me/preferences", json=wrong, headers=headers_for(executor))
    assert answer.status_code == 422
    assert answer.get_json()["errors"][0]["field"] == "cities"


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_orders_and_subscriptions_older_than_the_directory_get_their_ids(tmp_path):
    """Does the migration give the default cities' orders and subscriptions their directory
    ids, and `flask market map-cities` place a deployment's own city it could not?"""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from tests.fixtures.app import build_app

    cities = "Moscow,Kazan,tula-city=Tula|Тула"  # a deployment's own key for Tula
    app = build_app(f"sqlite:///{tmp_path / 'old.db'}", environ={"MARKET_CITIES": cities})
    with app.app_context():
        upgrade(revision="locale_0001")
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO users (id, first_name, language_code, is_premium, role,"
                    " is_banned, created_at, updated_at) VALUES"
                    " (1, 'Old', 'en', 0, 'student', 0, '2026-01-01', '2026-01-01')"
                )
            )
            for order_id, city in (("a1", "Moscow"), ("a2", "Казань"), ("a3", "tula-city")):
                conn.execute(
                    sa.text(
                        "INSERT INTO orders (id, client_id, category, city, description, contact,"
                        " status, takes_count, created_at, updated_at, expires_at) VALUES"
                        " (:id, 1, 'courier', :city, 'x', 'y', 'active', 0, '2026-01-01',"
                        " '2026-01-01', '2099-01-01')"
                    ),
                    {"id": order_id, "city": city},
                )
            conn.execute(
                sa.text(
                    "INSERT INTO market_preferences (user_id, categories, cities, frequency,"
                    " updated_at) VALUES (1, '[]', :cities, 'instant', '2026-01-01')"
                ),
                {"cities": '["Kazan", "tula-city"]'},
            )
        upgrade()
        with db.engine.connect() as conn:
            ids = dict(conn.execute(sa.text("SELECT id, city_id FROM orders")).all())
        assert ids == {"a1": MOSCOW, "a2": KAZAN, "a3": None}
        assert db.session.get(Preferences, 1).city_ids == [KAZAN, "tula-city"]
        db.session.remove()
    result = app.test_cli_runner().invoke(args=["market", "map-cities"])
    assert result.exit_code == 0, result.output
    assert "1 orders, 1 subscriptions placed" in result.output
    with app.app_context():
        with db.engine.connect() as conn:
            assert (
                conn.execute(sa.text("SELECT city_id FROM orders WHERE id = 'a3'")).scalar() == TULA
            )
        assert db.session.get(Preferences, 1).city_ids == [KAZAN, TULA]
        db.session.remove()
        db.engine.dispose()
