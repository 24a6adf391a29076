"""Ticket forms over HTTP: drafts, submit validation and locking, ownership, confirmation.

These forms answer the default questionnaire (today's questions: name, email, phone,
ticket_type, quantity, dietary_requirements, accessibility_needs).
"""

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
    "dietary_requirements": "vegan",
}


def create(client, headers, answers=None, **body):
    answer = client.post("/api/forms", json={"answers": answers or {}, **body}, headers=headers)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def bad_keys(answer) -> set[str]:
    assert answer.status_code == 422, answer.get_json()
    return {e["field"] for e in answer.get_json()["errors"]}


def test_empty_draft_and_partial_update(client, student):
    """Can a draft start empty and be filled in piece by piece (null clears an answer)?"""
    headers = headers_for(student)
    form = create(client, headers)
    assert form["status"] == "draft" and form["answers"] == {}
    assert form["questionnaire_version"] == 1 and form["questionnaire_id"]
    path = f"/api/forms/{form['id']}"
    updated = client.put(path, json={"answers": {"name": "A"}}, headers=headers).get_json()
    again = client.put(path, json={"answers": {"email": "not-yet-valid"}}, headers=headers)
    assert updated["answers"] == {"name": "A"}
    assert again.get_json()["answers"] == {"name": "A", "email": "not-yet-valid"}
    cleared = client.put(path, json={"answers": {"name": None}}, headers=headers).get_json()
    assert cleared["answers"] == {"email": "not-yet-valid"}


@pytest.mark.parametrize(
    ("answers", "key"),
    [
        ({"name": "x" * 201}, "answers.name"),
        ({"email": "x" * 255}, "answers.email"),
        ({"phone": "1" * 33}, "answers.phone"),
        ({"quantity": "many"}, "answers.quantity"),
        ({"quantity": True}, "answers.quantity"),
        ({"name": 5}, "answers.name"),
        ({"dietary_requirements": "x" * 501}, "answers.dietary_requirements"),
        ({"shoe_size": 42}, "answers.shoe_size"),
    ],
)
def test_draft_answers_are_still_well_formed(client, student, answers, key):
    """Is a draft answer of the wrong kind, too long, or to no question 422 before submit?"""
    answer = client.post("/api/forms", json={"answers": answers}, headers=headers_for(student))
    assert bad_keys(answer) == {key}


def test_old_fixed_fields_are_refused(client, student):
    """Are the fields of the old fixed form (`name`, `preferences` at the top) refused by
    name, rather than silently dropped?"""
    body = {"name": "Anna", "preferences": {"dietary_requirements": "vegan"}}
    answer = client.post("/api/forms", json=body, headers=headers_for(student))
    assert bad_keys(answer) == {"name", "preferences"}


def test_a_missing_event_or_questionnaire_is_422(client, student):
    """Is a form for no such event, or no such questionnaire, a 422 naming it?"""
    headers = headers_for(student)
    assert bad_keys(client.post("/api/forms", json={"event_id": 999}, headers=headers)) == {
        "event_id"
    }
    missing = client.post("/api/forms", json={"questionnaire_id": 999}, headers=headers)
    assert bad_keys(missing) == {"questionnaire_id"}


def test_submit_normalises_locks_and_confirms(client, app, student):
    """Does submit normalise email and phone, lock the form (409) and queue one confirmation?"""
    headers = headers_for(student)
    form = create(client, headers, COMPLETE, notes="  I come by bike ")
    answer = client.post(f"/api/forms/{form['id']}/submit", headers=headers)
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["status"] == "submitted" and body["submitted_at"]
    assert body["answers"]["phone"] == "+79123456789"
    assert body["answers"]["email"] == "Anna@example.com"
    assert body["notes"] == "I come by bike"
    changed = client.put(
        f"/api/forms/{form['id']}", json={"answers": {"name": "B"}}, headers=headers
    )
    assert changed.status_code == 409
    notes = client.put(f"/api/forms/{form['id']}", json={"notes": "later"}, headers=headers)
    assert notes.status_code == 409
    assert client.delete(f"/api/forms/{form['id']}", headers=headers).status_code == 409
    assert client.post(f"/api/forms/{form['id']}/submit", headers=headers).status_code == 409
    with app.app_context():
        (message,) = queued_for(student.telegram_id)
        assert message.dedupe_key == f"ticket-submitted:{form['id']}"
        assert f"#{form['id']}" in message.text and "2 x VIP" in message.text


def test_submit_reports_every_problem(client, student):
    """Does submitting an incomplete form list every missing or invalid answer (422)?"""
    headers = headers_for(student)
    form = create(client, headers, {"email": "nope", "phone": "123", "ticket_type": "gold"})
    answer = client.post(f"/api/forms/{form['id']}/submit", headers=headers)
    assert bad_keys(answer) == {
        "answers.name",
        "answers.email",
        "answers.phone",
        "answers.ticket_type",
        "answers.quantity",
    }
    assert client.get(f"/api/forms/{form['id']}", headers=headers).get_json()["status"] == "draft"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("email", "a@b"),
        ("email", "two@@example.com"),
        ("phone", "+1 555"),
        ("ticket_type", "gold"),
        ("quantity", 11),
        ("quantity", 0),
        ("quantity", 1.5),
    ],
)
def test_submit_checks_each_answer(client, student, key, value):
    """Are a bad email, an invalid phone, an unknown ticket type and a quantity outside
    1-10 or not whole each refused at submit, naming that answer?"""
    headers = headers_for(student)
    form = create(client, headers, {**COMPLETE, key: value})
    answer = client.post(f"/api/forms/{form['id']}/submit", headers=headers)
    assert bad_keys(answer) == {f"answers.{key}"}


def test_submit_messages_are_translated(client, make_user):
    """Does a Russian user read the submit problems in Russian?"""
    headers = headers_for(make_user(language_code="ru"))
    form = create(client, headers, {**COMPLETE, "email": "nope", "name": None})
    answer = client.post(f"/api/forms/{form['id']}/submit", headers=headers)
    messages = {e["field"]: e["message"] for e in answer.get_json()["errors"]}
    assert messages == {
        "answers.name": "Обязательное поле.",
        "answers.email": "Введите правильный адрес эл. почты.",
    }


@pytest.mark.parametrize("app_overrides", [{"TICKET_TYPES": ["student"]}])
def test_default_design_takes_the_configured_ticket_types(client, student):
    """Are the default questionnaire's ticket types the configured ones when it is made?"""
    headers = headers_for(student)
    vip = create(client, headers, COMPLETE)
    assert bad_keys(client.post(f"/api/forms/{vip['id']}/submit", headers=headers)) == {
        "answers.ticket_type"
    }
    ok = create(client, headers, {**COMPLETE, "ticket_type": "student"})
    assert client.post(f"/api/forms/{ok['id']}/submit", headers=headers).status_code == 200


def test_user_without_telegram_gets_no_message(client, app, make_user):
    """Is a submission without a Telegram chat accepted without queueing a message?"""
    user = make_user(telegram_id=None, login="webuser")
    with app.app_context():
        token = issue(user.id).token
    headers = {"Authorization": f"Bearer {token}"}
    form = create(client, headers, COMPLETE)
    assert client.post(f"/api/forms/{form['id']}/submit", headers=headers).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutgoingMessage)) == 0


def test_list_latest_and_ownership(client, make_user):
    """Do list and latest show only my forms, and is someone else's form 404?"""
    me, other = headers_for(make_user()), headers_for(make_user())
    first = create(client, me, {"name": "one"})
    second = create(client, me, {"name": "two"})
    theirs = create(client, other, {"name": "theirs"})
    body = client.get("/api/forms", headers=me).get_json()
    assert [f["id"] for f in body["items"]] == [second["id"], first["id"]] and body["total"] == 2
    assert client.get("/api/forms/latest", headers=me).get_json()["id"] == second["id"]
    change = {"json": {"answers": {"name": "x"}}}
    for method, kwargs in (("get", {}), ("put", change), ("delete", {})):
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
