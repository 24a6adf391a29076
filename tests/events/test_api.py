"""Events over HTTP: create, read, change rights, join/leave rules, participants."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event

from tests.fixtures.users import headers_for
from webapp.database import utcnow
from webapp.extensions import db


def future(**delta) -> str:
    return (utcnow() + timedelta(**(delta or {"days": 2}))).isoformat()


def test_create_and_read(client, teacher):
    """Does a created event answer its fields, a zero count and `joined: false`?"""
    headers = headers_for(teacher)
    body = {"title": "Talk", "starts_at": future(), "location": "Room 1", "capacity": 10}
    answer = client.post("/api/events", json=body, headers=headers)
    assert answer.status_code == 201
    event = answer.get_json()
    assert event["participants_count"] == 0 and event["joined"] is False
    assert event["capacity"] == 10 and event["spots_left"] == 10
    assert event["creator_id"] == teacher.id
    assert client.get(f"/api/events/{event['id']}", headers=headers).get_json()["title"] == "Talk"
    assert client.get("/api/events/999999", headers=headers).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"title": "", "starts_at": "2030-01-01T10:00:00Z"},
        {"title": "x" * 201, "starts_at": "2030-01-01T10:00:00Z"},
        {"title": "x", "starts_at": "2030-01-01T10:00:00"},
        {"title": "x"},
        {"title": "x", "starts_at": "2030-01-01T10:00:00Z", "capacity": 0},
        {"title": "x", "starts_at": "2030-01-01T10:00:00Z", "location": "x" * 301},
        {"title": "x", "starts_at": "2001-01-01T10:00:00Z"},
    ],
)
def test_create_rejects_bad_fields(client, teacher, body):
    """Are a bad title, naive or past start, zero capacity, long location 422?"""
    answer = client.post("/api/events", json=body, headers=headers_for(teacher))
    assert answer.status_code == 422 and answer.get_json()["errors"]


def test_list_upcoming_past_all_and_search(client, make_event, student):
    """Do `when` and `search` select the right events, upcoming soonest first?"""
    later = make_event(title="Later", starts_at=utcnow() + timedelta(days=5))
    soon = make_event(title="Soon", starts_at=utcnow() + timedelta(days=1), location="Park")
    past = make_event(title="Old", starts_at=utcnow() - timedelta(days=1))
    headers = headers_for(student)

    def ids(query):
        body = client.get(f"/api/events?{query}", headers=headers).get_json()
        assert body["total"] == len(body["items"])
        return [e["id"] for e in body["items"]]

    assert ids("") == [soon, later]
    assert ids("when=past") == [past]
    assert ids("when=all") == [later, soon, past]
    assert ids("when=all&search=PARK") == [soon]
    assert client.get("/api/events?when=soon", headers=headers).status_code == 422


def test_search_treats_wildcards_literally(client, make_event, student):
    """Are `%` and `_` in an event search matched literally, not as LIKE wildcards?"""
    percent = make_event(title="100% fun")
    underscore = make_event(title="snake_case")
    make_event(title="snakeXcase")

    def ids(term):
        body = client.get(
            "/api/events", query_string={"search": term}, headers=headers_for(student)
        )
        return {e["id"] for e in body.get_json()["items"]}

    assert ids("%") == {percent}
    assert ids("e_c") == {underscore}


def test_joined_and_count_in_every_answer(client, make_event, student, make_user):
    """Do list, detail and join answers carry `participants_count` and the caller's `joined`?"""
    other = make_user()
    event_id = make_event(participants=[other])
    headers = headers_for(student)
    listed = client.get("/api/events", headers=headers).get_json()["items"][0]
    assert listed["participants_count"] == 1 and listed["joined"] is False
    joined = client.post(f"/api/events/{event_id}/join", headers=headers)
    assert joined.status_code == 201
    assert joined.get_json()["participants_count"] == 2 and joined.get_json()["joined"] is True
    listed = client.get("/api/events", headers=headers).get_json()["items"][0]
    assert listed["joined"] is True and listed["participants_count"] == 2
    theirs = client.get(f"/api/events/{event_id}", headers=headers_for(other)).get_json()
    assert theirs["joined"] is True


def test_join_twice_is_200(client, make_event, student):
    """Is joining again a 200 that does not count twice?"""
    event_id = make_event()
    headers = headers_for(student)
    assert client.post(f"/api/events/{event_id}/join", headers=headers).status_code == 201
    again = client.post(f"/api/events/{event_id}/join", headers=headers)
    assert again.status_code == 200 and again.get_json()["participants_count"] == 1


def test_full_event_waitlists(client, make_event, make_user):
    """Is joining a full event a 201 `waitlisted` (no seat taken), while someone already in
    still gets 200?"""
    first = make_user()
    event_id = make_event(capacity=1, participants=[first])
    answer = client.post(f"/api/events/{event_id}/join", headers=headers_for(make_user()))
    assert answer.status_code == 201 and answer.get_json()["status"] == "waitlisted"
    assert answer.get_json()["participants_count"] == 1 and answer.get_json()["joined"] is False
    assert (
        client.post(f"/api/events/{event_id}/join", headers=headers_for(first)).status_code == 200
    )


def test_started_event_refuses_join_and_leave(client, make_event, make_user):
    """Are joining and leaving an event that has started 409?"""
    member = make_user()
    event_id = make_event(starts_at=utcnow() - timedelta(minutes=1), participants=[member])
    answer = client.post(f"/api/events/{event_id}/join", headers=headers_for(make_user()))
    assert answer.status_code == 409 and answer.get_json()["reason"] == "started"
    assert (
        client.delete(f"/api/events/{event_id}/join", headers=headers_for(member)).status_code
        == 409
    )


def test_leave_frees_the_seat(client, make_event, make_user):
    """Does leaving free a seat and is leaving twice harmless?"""
    member = make_user()
    event_id = make_event(capacity=1, participants=[member])
    headers = headers_for(member)
    left = client.delete(f"/api/events/{event_id}/join", headers=headers)
    assert left.status_code == 200
    assert left.get_json()["participants_count"] == 0 and left.get_json()["joined"] is False
    assert (
        client.delete(f"/api/events/{event_id}/join", headers=headers).get_json()[
            "participants_count"
        ]
        == 0
    )
    assert (
        client.post(f"/api/events/{event_id}/join", headers=headers_for(make_user())).status_code
        == 201
    )


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_only_creator_or_admin_changes(client, make_event, teacher, admin, make_user, method):
    """Is changing or deleting an event 403 for others, allowed for the creator and admins?"""
    body = {"title": "New", "starts_at": future()} if method != "delete" else None
    kwargs = {"json": body} if body else {}
    event_id = make_event()
    refused = getattr(client, method)(
        f"/api/events/{event_id}", headers=headers_for(make_user()), **kwargs
    )
    assert refused.status_code == 403
    assert getattr(client, method)(
        f"/api/events/{event_id}", headers=headers_for(teacher), **kwargs
    ).status_code in (200, 204)
    other = make_event()
    assert getattr(client, method)(
        f"/api/events/{other}", headers=headers_for(admin), **kwargs
    ).status_code in (200, 204)


def test_patch_and_put(client, make_event, teacher):
    """Does PATCH change only what is sent (null capacity = unlimited) and PUT replace all?"""
    event_id = make_event(capacity=5, location="Hall", description="d")
    headers = headers_for(teacher)
    patched = client.patch(f"/api/events/{event_id}", json={"capacity": None}, headers=headers)
    assert patched.get_json()["capacity"] is None and patched.get_json()["location"] == "Hall"
    bad = client.patch(f"/api/events/{event_id}", json={"title": None}, headers=headers)
    assert bad.status_code == 422
    put = client.put(
        f"/api/events/{event_id}", json={"title": "T", "starts_at": future()}, headers=headers
    ).get_json()
    assert put["location"] == "" and put["description"] == "" and put["title"] == "T"
    past = client.patch(
        f"/api/events/{event_id}", json={"starts_at": "2001-01-01T00:00:00Z"}, headers=headers
    )
    assert past.status_code == 422


def test_capacity_cannot_drop_below_count(client, make_event, teacher, make_user):
    """Is lowering capacity below the number of participants 409 (equal is fine)?"""
    event_id = make_event(capacity=5, participants=[make_user(), make_user()])
    headers = headers_for(teacher)
    assert (
        client.patch(f"/api/events/{event_id}", json={"capacity": 1}, headers=headers).status_code
        == 409
    )
    assert (
        client.patch(f"/api/events/{event_id}", json={"capacity": 2}, headers=headers).status_code
        == 200
    )


def test_participants_are_paged(client, make_event, student, make_user):
    """Does the participants list page through everyone with a total?"""
    people = [make_user(username=f"p{i}") for i in range(3)]
    event_id = make_event(participants=people)
    body = client.get(
        f"/api/events/{event_id}/participants?limit=2", headers=headers_for(student)
    ).get_json()
    assert body["total"] == 3 and len(body["items"]) == 2
    assert {"user_id", "display_name", "username", "joined_at"} <= set(body["items"][0])
    assert "telegram_id" not in body["items"][0]
    assert (
        client.get("/api/events/999/participants", headers=headers_for(student)).status_code == 404
    )


def test_delete_removes_participants(client, make_event, teacher, make_user):
    """Does deleting an event with participants work (204, then 404)?"""
    event_id = make_event(participants=[make_user()])
    headers = headers_for(teacher)
    assert client.delete(f"/api/events/{event_id}", headers=headers).status_code == 204
    assert client.get(f"/api/events/{event_id}", headers=headers).status_code == 404


def test_requires_sign_in(client):
    """Is the events API closed to anonymous callers?"""
    assert client.get("/api/events").status_code == 401


def test_list_query_count_does_not_grow(client, app, make_event, student, make_user):
    """Is `joined`/`participants_count` computed in SQL (same query count for 2 or 12 events)?"""
    headers = headers_for(student)
    client.get("/api/events", headers=headers)  # sign-in writes happen once, before counting

    def count_queries() -> int:
        seen: list[str] = []

        def record(*args):
            seen.append(args[2])

        with app.app_context():
            engine = db.engine
        sa_event.listen(engine, "before_cursor_execute", record)
        try:
            assert client.get("/api/events", headers=headers).status_code == 200
        finally:
            sa_event.remove(engine, "before_cursor_execute", record)
        return len(seen)

    people = [make_user(), make_user()]
    for _ in range(2):
        make_event(participants=people)
    few = count_queries()
    for _ in range(10):
        make_event(participants=people)
    assert few > 0 and count_queries() == few
