"""What an event carries: kind, sport (from the catalogue), level, fee, place, city, join mode."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path

import pytest

from tests.fixtures.users import headers_for
from webapp.database import utcnow
from webapp.events.sports import DEFAULT_SPORTS

MOSCOW = 524901


def future() -> str:
    return (utcnow() + timedelta(days=2)).isoformat()


def test_an_event_carries_its_sports_fields(client, teacher):
    """Are kind, sport, level, fee, place, coordinates, city and join mode stored and
    answered (the sport and the city named in the reader's language, a map link)?"""
    body = {
        "title": "Morning run",
        "starts_at": future(),
        "kind": "training",
        "sport": "running",
        "level": "beginner",
        "fee": {"amount": 30000, "currency": "RUB"},
        "location": "Gorky Park, main gate",
        "latitude": 55.7298,
        "longitude": 37.6011,
        "city": "Москва",
        "capacity": 12,
        "join_mode": "approval",
    }
    answer = client.post("/api/events", json=body, headers=headers_for(teacher))
    assert answer.status_code == 201, answer.get_json()
    event = answer.get_json()
    assert event["kind"] == "training" and event["level"] == "beginner"
    assert event["sport"] == "running" and event["sport_name"] == "Running"
    assert event["fee"] == {"amount": 30000, "currency": "RUB"}
    assert event["city"] == {"id": MOSCOW, "name": "Moscow"}
    assert event["join_mode"] == "approval" and event["status"] == "none"
    assert event["latitude"] == 55.7298 and "openstreetmap.org" in event["map_url"]
    assert "55.729800" in event["map_url"] and "37.601100" in event["map_url"]
    russian = client.get(
        f"/api/events/{event['id']}", headers={**headers_for(teacher), "Accept-Language": "ru"}
    ).get_json()
    assert russian["sport_name"] == "Бег" and russian["city"]["name"] == "Москва"


def test_defaults_keep_a_plain_event_as_before(client, teacher):
    """Does an event sent without the new fields stay an open, free `event` for any level?"""
    answer = client.post(
        "/api/events", json={"title": "Talk", "starts_at": future()}, headers=headers_for(teacher)
    )
    event = answer.get_json()
    assert (event["kind"], event["level"], event["join_mode"]) == ("event", "any", "open")
    assert event["fee"] is None and event["sport"] is None and event["city"] is None
    assert event["map_url"] is None


def test_city_by_directory_id(client, teacher):
    """Is a city accepted as a directory id too, and stored as that id?"""
    body = {"title": "Swim", "starts_at": future(), "city": MOSCOW}
    event = client.post("/api/events", json=body, headers=headers_for(teacher)).get_json()
    assert event["city"]["id"] == MOSCOW


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sport": "chess"}, "sport"),
        ({"level": "pro"}, "level"),
        ({"kind": "party"}, "kind"),
        ({"join_mode": "invite"}, "join_mode"),
        ({"fee": {"amount": -1}}, "fee.amount"),
        ({"fee": {"amount": 100, "currency": "USD"}}, "fee.currency"),
        ({"fee": {"amount": "100"}}, "fee.amount"),
        ({"fee": 300}, "fee"),
        ({"latitude": 91, "longitude": 0}, "latitude"),
        ({"latitude": 55.7}, "longitude"),
        ({"longitude": 37.6}, "latitude"),
        ({"city": "Atlantis"}, "city"),
        ({"city": 1}, "city"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_fields_are_422_naming_the_field(client, teacher, body, field):
    """Is each bad new field (unknown sport, level, kind, mode; negative or foreign fee;
    half or out-of-range coordinates; an unknown city; an unknown field) a 422 naming it?"""
    full = {"title": "x", "starts_at": future(), **body}
    answer = client.post("/api/events", json=full, headers=headers_for(teacher))
    assert answer.status_code == 422, answer.get_json()
    fields = {error["field"] for error in answer.get_json()["errors"]}
    assert field in fields, fields


def test_patch_changes_the_new_fields(client, teacher, make_event):
    """Does PATCH change sport, fee (and clear it with null), city and join mode alone?"""
    event_id = make_event()
    headers = headers_for(teacher)
    changed = client.patch(
        f"/api/events/{event_id}",
        json={"sport": "yoga", "fee": {"amount": 50000}, "city": "спб", "join_mode": "approval"},
        headers=headers,
    ).get_json()
    assert changed["sport"] == "yoga" and changed["fee"]["amount"] == 50000
    assert changed["city"]["name"] == "Saint Petersburg" and changed["join_mode"] == "approval"
    cleared = client.patch(f"/api/events/{event_id}", json={"fee": None}, headers=headers)
    assert cleared.get_json()["fee"] is None and cleared.get_json()["sport"] == "yoga"
    refused = client.patch(f"/api/events/{event_id}", json={"level": None}, headers=headers)
    assert refused.status_code == 422


def test_sports_catalogue_in_both_languages(client, student):
    """Does GET /api/events/sports list the eleven sports in order, named in the reader's
    language?"""
    answer = client.get(
        "/api/events/sports", headers={**headers_for(student), "Accept-Language": "ru"}
    )
    items = answer.get_json()["items"]
    assert [item["key"] for item in items] == [key for key, _en, _ru in DEFAULT_SPORTS]
    assert items[0]["name"] == "Бег" and items[0]["name_en"] == "Running"


def test_migration_seeds_the_same_catalogue():
    """Does the migration seed exactly the catalogue the code knows (keys and names)?"""
    path = next(Path("migrations/versions").glob("events_0001_*.py"))
    spec = importlib.util.spec_from_file_location("events_0001", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert [tuple(row) for row in module.SPORTS] == list(DEFAULT_SPORTS)
