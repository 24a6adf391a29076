"""A route that never asks who is calling still speaks the caller's language when the
request is signed (the app factory identifies the caller before choosing the language)."""

from __future__ import annotations

from tests.fixtures.users import headers_for
from webapp.cities import find_city


def test_a_picked_city_is_named_in_the_callers_language(app, client, make_user):
    """Does the city typeahead name a picked city in a Russian user's language although
    their browser asks for English — and in English for a caller who is not signed in?"""
    with app.app_context():
        kazan = find_city("Kazan")
    assert kazan is not None
    russian = make_user(language_code="ru")
    path = f"/cities/pick?field=city&id={kazan.id}"
    english_browser = {"Accept-Language": "en-US,en;q=0.9"}
    signed = client.get(path, headers={**headers_for(russian), **english_browser})
    assert signed.status_code == 200
    assert 'value="Казань"' in signed.get_data(as_text=True)
    anonymous = client.get(path, headers=english_browser)
    assert 'value="Kazan"' in anonymous.get_data(as_text=True)
