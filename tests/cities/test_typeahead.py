"""The city typeahead (`ui.city_typeahead`): its fragments, and the market's forms that use it."""

from __future__ import annotations

import re

import pytest

from tests.fixtures.users import headers_for

TULA = 480562
HX = {"HX-Request": "true"}


def text(answer) -> str:
    return answer.get_data(as_text=True)


def test_typing_lists_matching_cities_as_tappable_cells(client):
    """Does typing «тул» list Tula first as a cell whose tap picks it, and does typing
    forget a city picked before (an out-of-band empty id)?"""
    answer = client.get(
        "/cities/suggest", query_string={"field": "city", "city_text": "тул", "lang": "ru"}
    )
    assert answer.status_code == 200
    html = text(answer)
    assert html.index("Тула") < html.index("Тулун")
    assert "Тульская область" in html
    assert f'hx-get="/cities/pick?field=city&amp;id={TULA}"' in html
    assert 'hx-target="#city-inputs"' in html
    assert re.search(r'<input type="hidden" id="city-id" name="city" value="" hx-swap-oob', html)
    english = text(client.get("/cities/suggest?field=city&city_text=tula&lang=en"))
    assert "Tula" in english and "Тула" not in english


def test_a_link_typeahead_links_each_city(client):
    """With `link`, is each match a link to that path plus `city=<id>` (the feed filter)?"""
    query = {"field": "city", "city_text": "Tula", "link": "/orders?category=courier"}
    html = text(client.get("/cities/suggest", query_string=query))
    assert f'href="/orders?category=courier&amp;city={TULA}"' in html
    assert "hx-swap-oob" not in html


@pytest.mark.parametrize(
    "query",
    [
        {"field": "City!", "City!_text": "a"},
        {"field": "", "_text": "a"},
        {"field": "city", "city_text": "a", "link": "https://evil.example/"},
        {"field": "city", "city_text": "a", "link": "//evil.example/"},
    ],
)
def test_a_bad_field_or_an_outside_link_is_refused(client, query):
    """Is a field name that is no identifier, or a link off this site, refused?"""
    assert client.get("/cities/suggest", query_string=query).status_code == 422


def test_nothing_typed_lists_nothing_and_nothing_found_says_so(client):
    """Does an empty field list nothing, and an unknown name say «no such city»?"""
    empty = text(client.get("/cities/suggest?field=city&city_text=+"))
    assert "<li" not in empty
    none = text(client.get("/cities/suggest?field=city&city_text=zzzq&lang=ru"))
    assert "Такого города нет." in none


def test_picking_a_city_fills_the_field(client):
    """Does a tap answer the field's inputs holding the city's id and name, and empty the
    list of matches?"""
    html = text(client.get(f"/cities/pick?field=city&id={TULA}&lang=ru"))
    assert re.search(rf'<input type="hidden" id="city-id" name="city" value="{TULA}">', html)
    assert 'value="Тула"' in html
    assert 'id="city-suggestions"' in html and 'hx-swap-oob="true"' in html
    assert client.get("/cities/pick?field=city&id=999999999").status_code == 404


def test_the_order_form_posts_a_picked_or_a_typed_city(client, student):
    """Does the order form carry the typeahead (200 ms after input, no inline script), and
    does it post the picked id, or the typed name when nothing was picked?"""
    form = text(client.get("/orders/new", headers=headers_for(student)))
    assert 'hx-trigger="input changed delay:200ms"' in form
    assert 'name="city_text"' in form and "<script>" not in form
    fields = {"category": "courier", "description": "Bring it", "contact": "@me"}
    headers = {**headers_for(student), **HX}
    for city in ({"city": str(TULA), "city_text": "Тула"}, {"city": "", "city_text": "tula"}):
        posted = client.post("/orders/new", data={**fields, **city}, headers=headers)
        assert posted.status_code == 204, text(posted)
        fields["contact"] += "1"
    mine = client.get("/api/orders/mine", headers=headers_for(student)).get_json()
    assert [order["city_id"] for order in mine["items"]] == [TULA, TULA]
    refused = client.post(
        "/orders/new", data={**fields, "city": "", "city_text": "Atlantis"}, headers=headers
    )
    assert refused.status_code == 422
    assert 'id="error-city"' in text(refused)


def test_the_feed_and_subscriptions_use_the_typeahead(client, student):
    """Does the feed offer a city typeahead linking to the feed, and may an executor
    subscribe to a city typed into the subscriptions' typeahead?"""
    feed = text(client.get("/orders?category=courier"))
    assert 'hx-get="/cities/suggest?field=city&amp;link=/orders?category%3Dcourier"' in feed
    headers = {**headers_for(student), **HX}
    data = {"categories": ["courier"], "cities": ["524901", ""], "cities_text": "Тула"}
    saved = client.post("/me/subscriptions", data=data, headers=headers)
    assert saved.status_code == 200
    prefs = client.get("/api/users/me", headers=headers_for(student)).get_json()
    assert prefs["market"]["preferences"]["city_ids"] == [524901, TULA]
    assert "Tula" in text(client.get("/me", headers=headers_for(student)))
