"""The community profile (issue 11): city, sports, level and "about", shared by every
module, edited through `PUT /api/users/me/profile` and on `/me`."""

from __future__ import annotations

import re

import pytest

from tests.fixtures.users import headers_for
from webapp.extensions import db
from webapp.users import services
from webapp.users.models import User

MOSCOW = 524901


@pytest.fixture(autouse=True)
def sports(app):
    """The events' sports catalogue, as the migration seeds it (tests use create_all)."""
    from webapp.events.sports import seed_sports

    with app.app_context():
        seed_sports()
        db.session.commit()


def put(client, user, body):
    return client.put("/api/users/me/profile", json=body, headers=headers_for(user))


def test_profile_starts_empty(client, student):
    """Does a new user have an empty profile (no city, no sports, any level)?"""
    body = client.get("/api/users/me/profile", headers=headers_for(student)).get_json()
    assert body == {
        "user_id": student.id,
        "city": None,
        "sports": [],
        "level": "any",
        "about": "",
    }


def test_edit_profile_with_a_city_id(client, student):
    """Are the city (by directory id), sports, level and about saved and read back?"""
    body = {"city": MOSCOW, "sports": ["running", "yoga"], "level": "beginner", "about": " Hi "}
    answer = put(client, student, body)
    assert answer.status_code == 200, answer.get_json()
    saved = client.get("/api/users/me/profile", headers=headers_for(student)).get_json()
    assert saved["city"]["id"] == MOSCOW and saved["city"]["name_ru"] == "Москва"
    assert saved["sports"] == ["running", "yoga"]
    assert (saved["level"], saved["about"]) == ("beginner", "Hi")


@pytest.mark.parametrize("name", ["Москва", "moscow", "мск"])
def test_city_by_a_name_the_directory_knows(client, student, name):
    """Is a city accepted by any name the directory knows, and stored as its id?"""
    answer = put(client, student, {"city": name})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["city"]["id"] == MOSCOW


def test_fields_not_sent_stay(client, student):
    """Does a PUT with one field leave the others as they were?"""
    put(client, student, {"city": MOSCOW, "sports": ["tennis"], "level": "advanced"})
    answer = put(client, student, {"about": "new"}).get_json()
    assert answer["city"]["id"] == MOSCOW
    assert (answer["sports"], answer["level"], answer["about"]) == (["tennis"], "advanced", "new")


def test_city_null_clears_it(client, student):
    """Does `city: null` remove the city?"""
    put(client, student, {"city": MOSCOW})
    assert put(client, student, {"city": None}).get_json()["city"] is None


def test_duplicate_sports_are_kept_once(client, student):
    """Is a sport named twice stored once, in the order first given?"""
    answer = put(client, student, {"sports": ["gym", "yoga", "gym"]}).get_json()
    assert answer["sports"] == ["gym", "yoga"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"city": "Atlantis"}, "city"),
        ({"city": 1}, "city"),
        ({"city": 0}, "city"),
        ({"sports": ["chess"]}, "sports"),
        ({"sports": "running"}, "sports"),
        ({"sports": None}, "sports"),
        ({"level": "pro"}, "level"),
        ({"about": "x" * 501}, "about"),
        ({"nickname": "x"}, "nickname"),
    ],
)
def test_bad_profile_is_422_naming_the_field(client, student, body, field):
    """Is an unknown city or sport, a bad level, a too long "about" or an unknown field a
    422 naming the field (and nothing saved)?"""
    answer = put(client, student, body)
    assert answer.status_code == 422, answer.get_json()
    assert answer.content_type == "application/problem+json"
    assert field in {e["field"].split(".")[0] for e in answer.get_json()["errors"]}
    saved = client.get("/api/users/me/profile", headers=headers_for(student)).get_json()
    assert saved["city"] is None and saved["sports"] == [] and saved["level"] == "any"


def test_sports_follow_the_events_catalogue(app, client, student, admin):
    """Is a sport the admin adds to the events catalogue one a profile may name, shown on
    `/me` with its name in the user's language, and an unknown one refused?"""
    from webapp.events import sports

    with app.app_context():
        sports.save_sport(db.session.get(User, admin.id), "padel", "Padel", "Падел")
        db.session.commit()
    assert put(client, student, {"sports": ["padel"]}).status_code == 200
    assert put(client, student, {"sports": ["quidditch"]}).status_code == 422
    page = client.get("/me", headers=headers_for(student)).get_data(as_text=True)
    toggle = r'Padel</span></span>\s*<input class="toggle" type="checkbox" name="sports"'
    assert re.search(toggle + r' value="padel" checked', page)


def test_without_the_catalogue_the_fixed_list_counts(app, client, student):
    """Without a catalogue wired in, are the fixed sports the ones a profile may name?"""
    wired = app.extensions.pop("hub_sports")
    try:
        assert put(client, student, {"sports": ["running"]}).status_code == 200
        assert put(client, student, {"sports": ["padel"]}).status_code == 422
    finally:
        app.extensions["hub_sports"] = wired


def test_profile_of_is_what_other_modules_read(app, make_user):
    """Does `profile_of(user)` give other modules the stored profile with its city?"""
    user = make_user(city_id=MOSCOW, sports=["hiking"], level="intermediate", about="a")
    with app.app_context():
        profile = services.profile_of(db.session.get(User, user.id))
    assert profile.city is not None and profile.city.name_en == "Moscow"
    assert (profile.sports, profile.level, profile.about) == (("hiking",), "intermediate", "a")


def test_deleting_a_user_erases_the_profile(app, client, admin, make_user):
    """Does deleting an account erase its profile and calendar secret (the person goes)?"""
    user = make_user(city_id=MOSCOW, sports=["hiking"], about="me", calendar_secret="s" * 43)
    assert client.delete(f"/api/users/{user.id}", headers=headers_for(admin)).status_code == 204
    with app.app_context():
        gone = db.session.get(User, user.id)
        assert (gone.city_id, gone.sports, gone.about, gone.calendar_secret) == (None, [], "", None)


def test_me_page_shows_and_saves_the_profile(client, student):
    """Does `/me` show the profile form, and does saving it from the page store it (the
    city by its name) and redraw the section with the city in the user's language?"""
    page = client.get("/me", headers=headers_for(student)).get_data(as_text=True)
    assert 'id="community-profile"' in page and 'name="sports"' in page
    fragment = {**headers_for(student), "HX-Request": "true"}
    form = {"city": "Москва", "sports": ["running", "yoga"], "level": "advanced", "about": "x"}
    answer = client.post("/me/profile", data=form, headers=fragment)
    assert answer.status_code == 200
    assert 'value="Moscow"' in answer.get_data(as_text=True)
    saved = client.get("/api/users/me/profile", headers=headers_for(student)).get_json()
    assert saved["city"]["id"] == MOSCOW and saved["sports"] == ["running", "yoga"]
    assert saved["level"] == "advanced"


def test_me_page_form_errors_name_the_field(client, student):
    """Does the page form answer 422 with the error next to the field it concerns, keeping
    what was typed, and save nothing?"""
    fragment = {**headers_for(student), "HX-Request": "true"}
    answer = client.post("/me/profile", data={"city": "Atlantis", "level": "any"}, headers=fragment)
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert 'id="error-city"' in html and 'value="Atlantis"' in html
    saved = client.get("/api/users/me/profile", headers=headers_for(student)).get_json()
    assert saved["city"] is None
