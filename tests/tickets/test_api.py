"""Ticket forms over HTTP: drafts, submit validation and locking, ownership, confirmation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.fixtures.users import headers_for
from webapp.auth.tokens import issue
from webapp.config import ConfigError, load_config
from webapp.database import utcnow
from webapp.events.models import Event
from webapp.extensions import db
from webapp.outbox import OutgoingMessage, queued_for

COMPLETE = {
    "name": "Anna",
    "email": "Anna@Example.com",
    "phone": "8 (912) 345-67-89",
    "ticket_type": "vip",
    "quantity": 2,
    "preferences": {"dietary_requirements": "vegan", "accessibility_needs": None},
}


def create(client, headers, **fields):
    answer = client.post("/api/forms", json=fields, headers=headers)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_empty_draft_and_partial_update(client, student):
    """Can a draft start empty and be filled in piece by piece?"""
    headers = headers_for(student)
    form = create(client, headers)
    assert form["status"] == "draft" and form["name"] is None
    assert form["preferences"] == {"dietary_requirements": None, "accessibility_needs": None}
    updated = client.put(f"/api/forms/{form['id']}", json={"name": "A"}, headers=headers).get_json()
    again = client.put(
        f"/api/forms/{form['id']}", json={"email": "not-yet-valid"}, headers=headers
    ).get_json()
    assert updated["name"] == "A" and again["name"] == "A" and again["email"] == "not-yet-valid"


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x" * 201},
        {"email": "x" * 255},
        {"phone": "1" * 33},
        {"quantity": 0},
        {"quantity": 11},
        {"quantity": "many"},
        {"preferences": {"dietary_requirements": "x" * 501}},
        {"event_id": 999},
    ],
)
def test_draft_fields_are_still_well_formed(client, student, body):
    """Is a draft field of the wrong type, length or range 422 even before submit?"""
    answer = client.post("/api/forms", json=body, headers=headers_for(student))
    assert answer.status_code == 422 and answer.get_json()["errors"]


def test_submit_normalises_locks_and_confirms(client, app, student):
    """Does submit normalise email and phone, lock the form (409) and queue one confirmation?"""
    headers = headers_for(student)
    form = create(client, headers, **COMPLETE)
    answer = client.post(f"/api/forms/{form['id']}/submit", headers=headers)
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["status"] == "submitted" and body["submitted_at"]
    assert body["phone"] == "+79123456789" and body["email"] == "Anna@example.com"
    changed = client.put(f"/api/forms/{form['id']}", json={"name": "B"}, headers=headers)
    assert changed.status_code == 409
    assert client.delete(f"/api/forms/{form['id']}", headers=headers).status_code == 409
    assert client.post(f"/api/forms/{form['id']}/submit", headers=headers).status_code == 409
    with app.app_context():
        (message,) = queued_for(student.telegram_id)
        assert message.dedupe_key == f"ticket-submitted:{form['id']}"
        assert f"#{form['id']}" in message.text


def test_submit_reports_every_problem(client, student):
    """Does submitting an incomplete form list every missing or invalid field (422)?"""
    headers = headers_for(student)
    form = create(client, headers, email="nope", phone="123", ticket_type="gold")
    answer = client.post(f"/api/forms/{form['id']}/submit", headers=headers)
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.get_json()["errors"]}
    assert fields == {"name", "email", "phone", "ticket_type", "quantity"}
    assert client.get(f"/api/forms/{form['id']}", headers=headers).get_json()["status"] == "draft"


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "a@b"), ("email", "two@@example.com"), ("phone", "+1 555"), ("ticket_type", "gold")],
)
def test_submit_checks_each_format(client, student, field, value):
    """Are a bad email, an invalid phone and an unknown ticket type each refused at submit?"""
    headers = headers_for(student)
    form = create(client, headers, **{**COMPLETE, field: value})
    answer = client.post(f"/api/forms/{form['id']}/submit", headers=headers)
    assert answer.status_code == 422
    assert [e["field"] for e in answer.get_json()["errors"]] == [field]


@pytest.mark.parametrize("app_overrides", [{"TICKET_TYPES": ["student"]}])
def test_ticket_types_come_from_config(client, student):
    """Does submit accept exactly the configured ticket types?"""
    headers = headers_for(student)
    vip = create(client, headers, **COMPLETE)
    assert client.post(f"/api/forms/{vip['id']}/submit", headers=headers).status_code == 422
    ok = create(client, headers, **{**COMPLETE, "ticket_type": "student"})
    assert client.post(f"/api/forms/{ok['id']}/submit", headers=headers).status_code == 200


def test_user_without_telegram_gets_no_message(client, app, make_user):
    """Is a submission without a Telegram chat accepted without queueing a message?"""
    user = make_user(telegram_id=None, login="webuser")
    with app.app_context():
        token = issue(user.id).token
    headers = {"Authorization": f"Bearer {token}"}
    form = create(client, headers, **COMPLETE)
    assert client.post(f"/api/forms/{form['id']}/submit", headers=headers).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutgoingMessage)) == 0


def test_list_latest_and_ownership(client, make_user):
    """Do list and latest show only my forms, and is someone else's form 404?"""
    me, other = headers_for(make_user()), headers_for(make_user())
    first = create(client, me, name="one")
    second = create(client, me, name="two")
    theirs = create(client, other, name="theirs")
    body = client.get("/api/forms", headers=me).get_json()
    assert [f["id"] for f in body["items"]] == [second["id"], first["id"]] and body["total"] == 2
    assert client.get("/api/forms/latest", headers=me).get_json()["id"] == second["id"]
    for method, kwargs in (("get", {}), ("put", {"json": {"name": "x"}}), ("delete", {})):
        answer = getattr(client, method)(f"/api/forms/{theirs['id']}", headers=me, **kwargs)
        assert answer.status_code == 404
    assert client.post(f"/api/forms/{theirs['id']}/submit", headers=me).status_code == 404


def test_latest_is_404_without_forms(client, student):
    """Is `latest` a 404 when I have no forms?"""
    assert client.get("/api/forms/latest", headers=headers_for(student)).status_code == 404


def test_delete_own_draft(client, student):
    """Can I delete my own draft?"""
    headers = headers_for(student)
    form = create(client, headers)
    assert client.delete(f"/api/forms/{form['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/forms/{form['id']}", headers=headers).status_code == 404


def test_form_for_an_event(client, app, student, teacher):
    """Can a form name an existing event?"""
    with app.app_context():
        event = Event(title="Ball", starts_at=utcnow() + timedelta(days=1), creator_id=teacher.id)
        db.session.add(event)
        db.session.commit()
        event_id = event.id
    form = create(client, headers_for(student), event_id=event_id)
    assert form["event_id"] == event_id


def test_ticket_types_read_from_environment():
    """Is TICKET_TYPES read from the environment (default standard, vip), and empty refused?"""
    assert load_config({})["TICKET_TYPES"] == ["standard", "vip"]
    assert load_config({"TICKET_TYPES": "early, vip ,"})["TICKET_TYPES"] == ["early", "vip"]
    with pytest.raises(ConfigError):
        load_config({"TICKET_TYPES": " , "})
