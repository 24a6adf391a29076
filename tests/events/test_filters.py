"""Finding events: `GET /api/events` filters by sport, kind, level, city, dates, `mine`,
and `near` a point (nearest first)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.fixtures.users import headers_for
from webapp.database import utcnow
from webapp.events.models import EventRequest, JoinMode, Kind, Level, RequestStatus
from webapp.events.services import distance_km
from webapp.extensions import db

MOSCOW, KAZAN = 524901, 551487
KREMLIN = (55.7520, 37.6175)


def ids(client, user, query: str) -> list[int]:
    answer = client.get(f"/api/events?{query}", headers=headers_for(user))
    assert answer.status_code == 200, answer.get_json()
    return [item["id"] for item in answer.get_json()["items"]]


def test_sport_kind_level_and_city(client, make_event, student):
    """Does each of sport, kind, level and city (by id or by name) keep only its events,
    and do they combine?"""
    run = make_event(sport_key="running", kind=Kind.TRAINING, level=Level.BEGINNER, city_id=MOSCOW)
    yoga = make_event(sport_key="yoga", city_id=KAZAN)
    talk = make_event()
    assert ids(client, student, "sport=running") == [run]
    assert ids(client, student, "kind=training") == [run]
    assert set(ids(client, student, "kind=event")) == {yoga, talk}
    assert ids(client, student, "level=beginner") == [run]
    assert ids(client, student, f"city={KAZAN}") == [yoga]
    assert ids(client, student, "city=Москва") == [run]
    assert ids(client, student, "city=msk&sport=yoga") == []


def test_dates_are_the_callers_days(client, make_event, make_user):
    """Do `date_from`/`date_to` as dates cover whole days of the caller's time zone, and as
    times bound exactly?"""
    base = datetime(2031, 5, 10, tzinfo=UTC)
    late = make_event(starts_at=base + timedelta(hours=22))  # 11 May 01:00 in Moscow
    early = make_event(starts_at=base + timedelta(hours=6))  # 10 May 09:00 in Moscow
    moscow = make_user(time_zone="Europe/Moscow")
    assert ids(client, moscow, "date_from=2031-05-10&date_to=2031-05-10") == [early]
    assert ids(client, moscow, "date_from=2031-05-11") == [late]
    assert ids(client, moscow, "date_to=2031-05-10T06:00:00Z") == [early]
    assert ids(client, moscow, "date_from=2031-05-10T06:00:01Z") == [late]


def test_mine_created_joined_applied(app, client, make_event, make_user, teacher):
    """Does `mine` keep the events the caller organises, takes part in, or applied to?"""
    me = make_user()
    created = make_event(creator=me)
    joined = make_event(participants=[me])
    applied = make_event(join_mode=JoinMode.APPROVAL)
    make_event()
    with app.app_context():
        db.session.add(EventRequest(event_id=applied, user_id=me.id, status=RequestStatus.PENDING))
        db.session.commit()
    assert ids(client, me, "mine=created") == [created]
    assert ids(client, me, "mine=joined") == [joined]
    assert ids(client, me, "mine=applied") == [applied]


def test_near_orders_by_distance_within_the_radius(client, make_event, student):
    """Does `near` keep events within `radius_km` with coordinates, nearest first, each
    with its distance (haversine)?"""
    park = make_event(latitude=55.7298, longitude=37.6011)  # Gorky Park, ~2.7 km
    centre = make_event(latitude=55.7539, longitude=37.6208)  # Red Square, ~0.3 km
    zelenograd = make_event(latitude=55.9825, longitude=37.1814)  # ~37 km
    make_event(latitude=59.9386, longitude=30.3141)  # Saint Petersburg
    make_event()  # no coordinates
    near = f"near={KREMLIN[0]},{KREMLIN[1]}"
    answer = client.get(f"/api/events?{near}", headers=headers_for(student)).get_json()
    assert [item["id"] for item in answer["items"]] == [centre, park]
    expected = distance_km(*KREMLIN, 55.7298, 37.6011)
    assert answer["items"][1]["distance_km"] == pytest.approx(expected, abs=0.01)
    assert 2 < expected < 3.5
    assert ids(client, student, f"{near}&radius_km=50") == [centre, park, zelenograd]
    assert (
        client.get("/api/events", headers=headers_for(student)).get_json()["items"][0][
            "distance_km"
        ]
        is None
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kind=party", "kind"),
        ("level=pro", "level"),
        ("mine=liked", "mine"),
        ("near=55.7", "near"),
        ("near=95,37", "near"),
        ("near=55,37&radius_km=0", "radius_km"),
        ("near=55,37&radius_km=5000", "radius_km"),
        ("date_from=tomorrow", "date_from"),
        ("date_to=2031-05-10T06:00:00", "date_to"),
        ("city=Atlantis", "city"),
    ],
)
def test_bad_filters_are_422_naming_them(client, student, query, field):
    """Is each bad filter a 422 naming it (never a 500)?"""
    answer = client.get(f"/api/events?{query}", headers=headers_for(student))
    assert answer.status_code == 422
    assert field in {error["field"] for error in answer.get_json()["errors"]}


def test_filters_leave_past_events_out_by_default(client, make_event, student):
    """Do the filters apply within `when` (upcoming by default)?"""
    make_event(sport_key="tennis", starts_at=utcnow() - timedelta(days=1))
    soon = make_event(sport_key="tennis")
    assert ids(client, student, "sport=tennis") == [soon]
    assert len(ids(client, student, "sport=tennis&when=all")) == 2
