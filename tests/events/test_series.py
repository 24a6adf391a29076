"""Repeating trainings: a series of occurrences, each changed or cancelled alone, joined
all at once."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.fixtures.users import headers_for

MOSCOW = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")


def series_body(**more):
    return {
        "title": "Evening run",
        "kind": "training",
        "sport": "running",
        "starts_at": "2031-03-03T16:00:00Z",  # Monday 19:00 in Moscow
        "capacity": 10,
        "repeat": {"weekdays": [1, 3], "until": "2031-03-19T23:59:00Z"},
        **more,
    }


def occurrences(client, user, series_id):
    answer = client.get(
        f"/api/events?series_id={series_id}&when=all&limit=100", headers=headers_for(user)
    )
    return sorted(answer.get_json()["items"], key=lambda item: item["starts_at"])


def test_repeat_creates_the_occurrences_at_the_same_local_time(client, make_user):
    """Does `repeat` create one occurrence per listed weekday until `until`, each at the
    creator's local time of the first, sharing a series id?"""
    coach = make_user(time_zone="Europe/Moscow")
    created = client.post("/api/events", json=series_body(), headers=headers_for(coach))
    assert created.status_code == 201, created.get_json()
    first = created.get_json()
    assert first["series_id"] is not None and first["starts_at"] == "2031-03-03T16:00:00Z"
    items = occurrences(client, coach, first["series_id"])
    days = [datetime.fromisoformat(i["starts_at"]).astimezone(MOSCOW) for i in items]
    assert [d.day for d in days] == [3, 5, 10, 12, 17, 19]
    assert {(d.isoweekday(), d.hour, d.minute) for d in days} == {(1, 19, 0), (3, 19, 0)}
    assert {i["sport"] for i in items} == {"running"} and {i["capacity"] for i in items} == {10}


def test_local_time_holds_across_daylight_saving(client, make_user):
    """In a zone with daylight saving time, does 19:00 stay 19:00 local after the change
    (so the UTC hour moves)?"""
    coach = make_user(time_zone="Europe/Berlin")
    body = series_body(
        starts_at="2031-03-24T18:00:00Z",  # Monday 19:00 CET; summer time from 30 March
        repeat={"weekdays": [1], "until": "2031-04-08T00:00:00Z"},
    )
    first = client.post("/api/events", json=body, headers=headers_for(coach)).get_json()
    items = occurrences(client, coach, first["series_id"])
    local = [datetime.fromisoformat(i["starts_at"]).astimezone(BERLIN) for i in items]
    assert [(d.day, d.hour) for d in local] == [(24, 19), (31, 19), (7, 19)]
    assert datetime.fromisoformat(items[1]["starts_at"]).astimezone(UTC).hour == 17


@pytest.mark.parametrize(
    ("repeat", "field"),
    [
        ({"weekdays": [8], "until": "2031-04-01T00:00:00Z"}, "repeat.weekdays"),
        ({"weekdays": [], "until": "2031-04-01T00:00:00Z"}, "repeat.weekdays"),
        ({"weekdays": [1]}, "repeat.until"),
        ({"weekdays": [1], "until": "2031-04-01T00:00:00"}, "repeat.until"),
        ({"weekdays": [2], "until": "2031-03-03T20:00:00Z"}, "repeat.until"),
        ({"weekdays": [1, 2, 3, 4, 5, 6, 7], "until": "2032-03-01T00:00:00Z"}, "repeat.until"),
        ({"weekdays": [1], "until": "2031-04-01T00:00:00Z", "every": 2}, "repeat.every"),
    ],
)
def test_bad_repeat_is_422(client, teacher, repeat, field):
    """Are bad weekdays, a missing or naive `until`, a range without an occurrence, more
    than 60 occurrences and an unknown field 422 naming the field?"""
    answer = client.post(
        "/api/events", json=series_body(repeat=repeat), headers=headers_for(teacher)
    )
    assert answer.status_code == 422
    assert field in {e["field"] for e in answer.get_json()["errors"]}


def test_repeat_only_on_create(client, teacher, make_event):
    """Is `repeat` refused on PUT (an occurrence is changed alone)?"""
    event_id = make_event()
    answer = client.put(f"/api/events/{event_id}", json=series_body(), headers=headers_for(teacher))
    assert answer.status_code == 422


def test_one_occurrence_changes_alone(client, make_user):
    """Does changing one occurrence leave the others as they were?"""
    coach = make_user(time_zone="Europe/Moscow")
    first = client.post("/api/events", json=series_body(), headers=headers_for(coach)).get_json()
    items = occurrences(client, coach, first["series_id"])
    second = items[1]["id"]
    client.patch(
        f"/api/events/{second}",
        json={"location": "Stadium", "capacity": 3},
        headers=headers_for(coach),
    )
    after = occurrences(client, coach, first["series_id"])
    assert [i["location"] for i in after] == ["", "Stadium", "", "", "", ""]
    assert [i["capacity"] for i in after] == [10, 3, 10, 10, 10, 10]


def test_join_the_whole_series(client, make_user):
    """Does `series: true` join this and every later occurrence (each by its own rules:
    a full one waitlists), but not earlier or cancelled ones, while a plain join joins one?"""
    coach = make_user(time_zone="Europe/Moscow")
    first = client.post("/api/events", json=series_body(), headers=headers_for(coach)).get_json()
    items = occurrences(client, coach, first["series_id"])
    ids = [i["id"] for i in items]
    client.patch(f"/api/events/{ids[3]}", json={"capacity": 1}, headers=headers_for(coach))
    client.post(f"/api/events/{ids[3]}/join", headers=headers_for(make_user()))
    client.post(f"/api/events/{ids[4]}/cancel", headers=headers_for(coach))
    ann, bob = make_user(), make_user()
    assert client.post(f"/api/events/{ids[0]}/join", headers=headers_for(bob)).status_code == 201
    answer = client.post(
        f"/api/events/{ids[1]}/join", json={"series": True}, headers=headers_for(ann)
    )
    assert answer.status_code == 201 and answer.get_json()["status"] == "joined"
    statuses = [i["status"] for i in occurrences(client, ann, first["series_id"])]
    assert statuses == ["none", "joined", "joined", "waitlisted", "none", "joined"]
    assert [i["status"] for i in occurrences(client, bob, first["series_id"])] == [
        "joined",
        "none",
        "none",
        "none",
        "none",
        "none",
    ]
