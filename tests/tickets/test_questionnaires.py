"""Questionnaires the organiser designs: the admin API, versions, and answers of every kind."""

# ruff: noqa: RUF001 - Russian labels are Cyrillic on purpose
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from tests.fixtures.users import headers_for
from webapp.database import utcnow
from webapp.events.models import Event
from webapp.extensions import db
from webapp.outbox import queued_for


def words(en, ru):
    return {"en": en, "ru": ru}


# One question of every kind, with limits.
EVERY_KIND = [
    {"key": "nickname", "kind": "text", "label": words("Nickname", "Ник"), "required": True,
     "min_length": 2, "max_length": 20, "help": words("As on your badge", "Как на бейдже")},
    {"key": "about", "kind": "long_text", "label": words("About you", "О себе"), "max_length": 300},
    {"key": "mail", "kind": "email", "label": words("Email", "Почта"), "required": True},
    {"key": "mobile", "kind": "phone", "label": words("Mobile", "Мобильный")},
    {"key": "age", "kind": "number", "label": words("Age", "Возраст"), "required": True,
     "integer": True, "min_value": 14, "max_value": 99},
    {"key": "dance", "kind": "choice", "label": words("Dance", "Танец"), "required": True,
     "options": [{"value": "waltz", "label": words("Waltz", "Вальс")},
                 {"value": "tango", "label": words("Tango", "Танго")}]},
    {"key": "meals", "kind": "multi_choice", "label": words("Meals", "Питание"),
     "max_length": 2,
     "options": [{"value": "lunch", "label": words("Lunch", "Обед")},
                 {"value": "dinner", "label": words("Dinner", "Ужин")},
                 {"value": "snack", "label": words("Snack", "Перекус")}]},
    {"key": "agree", "kind": "checkbox", "label": words("I agree", "Я согласен"), "required": True},
    {"key": "arrival", "kind": "date", "label": words("Arrival", "Приезд"),
     "min_date": "2030-01-01", "max_date": "2030-12-31"},
]  # fmt: skip

GOOD_ANSWERS = {
    "nickname": " Ann ",
    "about": "=cmd|' /C calc'!A0",
    "mail": "ann@example.com",
    "mobile": "+7 912 345 67 89",
    "age": 30,
    "dance": "tango",
    "meals": ["lunch", "dinner"],
    "agree": True,
    "arrival": "2030-05-01",
}


def design(fields=None, title=("Ball", "Бал")):
    return {"title": words(*title), "fields": fields if fields is not None else EVERY_KIND}


@pytest.fixture
def event_id(app, teacher):
    with app.app_context():
        event = Event(title="Ball", starts_at=utcnow() + timedelta(days=3), creator_id=teacher.id)
        db.session.add(event)
        db.session.commit()
        return event.id


@pytest.fixture
def ball(client, admin, event_id):
    """The ball's own questionnaire, with every kind of question."""
    answer = client.post(
        "/api/admin/questionnaires",
        json={**design(), "event_id": event_id},
        headers=headers_for(admin),
    )
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def start(client, user, answers, **body):
    answer = client.post("/api/forms", json={"answers": answers, **body}, headers=headers_for(user))
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def submit(client, user, form_id):
    return client.post(f"/api/forms/{form_id}/submit", headers=headers_for(user))


def errors(answer) -> dict[str, str]:
    assert answer.status_code == 422, answer.get_json()
    return {e["field"]: e["message"] for e in answer.get_json()["errors"]}


ADMIN_ROUTES = [
    ("get", "/api/admin/questionnaires", None),
    ("get", "/api/admin/questionnaires/1", None),
    ("post", "/api/admin/questionnaires", {**design(), "event_id": 1}),
    ("put", "/api/admin/questionnaires/1", design()),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ROUTES)
@pytest.mark.parametrize("role", ["student", "teacher", "moderator"])
def test_designing_is_for_admins(client, make_user, role, method, path, body):
    """Are the questionnaire routes refused (403) to everyone but admins?"""
    kwargs = {"json": body} if body else {}
    answer = getattr(client, method)(path, headers=headers_for(make_user(role)), **kwargs)
    assert answer.status_code == 403


def test_the_default_design_is_todays_questions(client, admin):
    """Is there always a default questionnaire whose questions are today's fixed ones?"""
    body = client.get("/api/admin/questionnaires", headers=headers_for(admin)).get_json()
    (default,) = body["items"]
    assert default["is_default"] and default["event_id"] is None and default["version"] == 1
    assert [f["key"] for f in default["fields"]] == [
        "name",
        "email",
        "phone",
        "ticket_type",
        "quantity",
        "dietary_requirements",
        "accessibility_needs",
    ]
    quantity = default["fields"][4]
    assert (quantity["kind"], quantity["min_value"], quantity["max_value"]) == ("number", 1, 10)
    assert [o["value"] for o in default["fields"][3]["options"]] == ["standard", "vip"]


def test_an_event_questionnaire_is_designed_once(client, admin, ball, event_id):
    """Does an event get its own questionnaire with every kind, and a second one 409?"""
    assert [f["kind"] for f in ball["fields"]] == [
        "text",
        "long_text",
        "email",
        "phone",
        "number",
        "choice",
        "multi_choice",
        "checkbox",
        "date",
    ]
    assert ball["event_id"] == event_id and ball["version"] == 1 and not ball["is_default"]
    again = client.post(
        "/api/admin/questionnaires",
        json={**design(), "event_id": event_id},
        headers=headers_for(admin),
    )
    assert again.status_code == 409
    missing = client.post(
        "/api/admin/questionnaires", json={**design(), "event_id": 999}, headers=headers_for(admin)
    )
    assert set(errors(missing)) == {"event_id"}


def text_field(**more):
    return {"key": "x", "kind": "text", "label": words("X", "Икс"), **more}


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ([text_field(), text_field()], "fields.1.key"),
        ([text_field(key="notes")], "fields.0.key"),
        ([text_field(key="Bad Key")], "fields.0.key"),
        ([text_field(options=[{"value": "a", "label": words("A", "А")}])], "fields.0.options"),
        ([text_field(kind="choice")], "fields.0.options"),
        (
            [text_field(kind="choice", options=[{"value": "a", "label": words("A", "А")}] * 2)],
            "fields.0.options",
        ),
        ([text_field(kind="number", max_length=3)], "fields.0.max_length"),
        (
            [
                text_field(
                    kind="multi_choice",
                    max_length=3,
                    options=[{"value": v, "label": words(v, v)} for v in ("a", "b")],
                )
            ],
            "fields.0.max_length",
        ),
        ([text_field(min_length=5, max_length=2)], "fields.0.min_length"),
        ([text_field(max_length=1001)], "fields.0.max_length"),
        ([text_field(min_value=1)], "fields.0.max_value"),
        ([text_field(kind="number", min_value=5, max_value=1)], "fields.0.min_value"),
        (
            [text_field(kind="date", min_date="2030-02-01", max_date="2030-01-01")],
            "fields.0.min_date",
        ),
        ([text_field(min_date="2030-02-01")], "fields.0.max_date"),
        ([text_field(kind="colour")], "fields.0.kind"),
        ([text_field(label={"en": "X"})], "fields.0.label.ru"),
        ([text_field(colour="red")], "fields.0.colour"),
        ([], "fields"),
    ],
)  # fmt: skip
def test_a_bad_design_is_422_naming_the_attribute(client, admin, fields, bad):
    """Is a design that cannot work refused, naming the question's attribute?"""
    answer = client.put(
        "/api/admin/questionnaires/1", json=design(fields), headers=headers_for(admin)
    )
    assert bad in errors(answer)


def test_design_problems_are_translated(client, make_user):
    """Does a Russian admin read a design's problems in Russian?"""
    admin = make_user("admin", language_code="ru")
    answer = client.put(
        "/api/admin/questionnaires/1",
        json=design([text_field(), text_field()]),
        headers=headers_for(admin),
    )
    assert errors(answer)["fields.1.key"] == "У двух вопросов одинаковый ключ."


def test_every_kind_is_filled_and_submitted(app, client, student, ball, event_id):
    """Does a form for the ball answer its questionnaire, and submit store every kind
    normalised (text stripped, phone E.164, a whole number, a list, a date)?"""
    form = start(client, student, GOOD_ANSWERS, event_id=event_id)
    assert form["questionnaire_id"] == ball["id"]
    answer = submit(client, student, form["id"])
    assert answer.status_code == 200, answer.get_json()
    with app.app_context():  # a design without ticket type and quantity: the plain words
        (message,) = queued_for(student.telegram_id)
        assert message.text.startswith(f"Your ticket request #{form['id']} is received.")
    assert answer.get_json()["answers"] == {
        **GOOD_ANSWERS,
        "nickname": "Ann",
        "mobile": "+79123456789",
    }


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("nickname", "A"),
        ("nickname", "A" * 21),
        ("about", "x" * 301),
        ("mail", "ann@"),
        ("mobile", "12"),
        ("age", 13),
        ("age", 100),
        ("age", 30.5),
        ("age", "30"),
        ("dance", "polka"),
        ("meals", ["lunch", "dinner", "snack"]),
        ("meals", ["lunch", "lunch"]),
        ("meals", ["brunch"]),
        ("meals", "lunch"),
        ("agree", False),
        ("agree", "yes"),
        ("arrival", "2029-12-31"),
        ("arrival", "2031-01-01"),
        ("arrival", "01.05.2030"),
        ("arrival", "2030-02-30"),
    ],
)
def test_each_kind_checks_its_answer(client, student, ball, event_id, key, value):
    """Is each kind's bad answer refused — at once when it is not of the kind's shape, at
    submit otherwise — naming only that question?"""
    body = {"answers": {**GOOD_ANSWERS, key: value}, "event_id": event_id}
    created = client.post("/api/forms", json=body, headers=headers_for(student))
    if created.status_code == 422:  # the wrong JSON type, or too long: a draft refuses it
        assert set(errors(created)) == {f"answers.{key}"}
        return
    assert set(errors(submit(client, student, created.get_json()["id"]))) == {f"answers.{key}"}


def test_required_answers_are_named(client, student, ball, event_id):
    """Does submitting an empty form for the ball name each required question?"""
    form = start(client, student, {}, event_id=event_id)
    assert set(errors(submit(client, student, form["id"]))) == {
        "answers.nickname",
        "answers.mail",
        "answers.age",
        "answers.dance",
        "answers.agree",
    }


def test_a_questionnaire_of_another_event_is_refused(client, student, ball):
    """Is a form naming the ball's questionnaire without the ball a 422?"""
    answer = client.post(
        "/api/forms",
        json={"questionnaire_id": ball["id"], "answers": {}},
        headers=headers_for(student),
    )
    assert set(errors(answer)) == {"questionnaire_id"}


def test_a_design_change_is_a_new_version_and_keeps_submitted_forms(
    client, admin, student, make_user, ball, event_id
):
    """Does a design change make version 2, leave a submitted form on version 1 with its
    answers, and move a draft to version 2 keeping only the answers that still fit?"""
    submitted = start(client, student, GOOD_ANSWERS, event_id=event_id)
    assert submit(client, student, submitted["id"]).status_code == 200
    other = make_user()
    draft = start(client, other, {"nickname": "Bob", "age": 40}, event_id=event_id)
    changed = [
        {**EVERY_KIND[0], "label": words("Name on badge", "Имя на бейдже")},
        {"key": "age", "kind": "text", "label": words("Age group", "Возраст")},
        {"key": "shirt", "kind": "choice", "label": words("Shirt", "Футболка"), "required": True,
         "options": [{"value": "m", "label": words("M", "M")}]},
    ]  # fmt: skip
    headers = headers_for(admin)
    answer = client.put(
        f"/api/admin/questionnaires/{ball['id']}", json=design(changed), headers=headers
    )
    assert answer.status_code == 200 and answer.get_json()["version"] == 2
    same = client.put(
        f"/api/admin/questionnaires/{ball['id']}", json=design(changed), headers=headers
    )
    assert same.get_json()["version"] == 2  # the same design again is no new version
    old = client.get(f"/api/admin/questionnaires/{ball['id']}?version=1", headers=headers)
    assert len(old.get_json()["fields"]) == len(EVERY_KIND)
    kept = client.get(f"/api/forms/{submitted['id']}", headers=headers_for(student)).get_json()
    assert kept["questionnaire_version"] == 1 and kept["answers"]["dance"] == "tango"
    theirs = client.get(
        f"/api/forms/{submitted['id']}/questionnaire", headers=headers_for(student)
    ).get_json()
    assert theirs["version"] == 1 and len(theirs["fields"]) == len(EVERY_KIND)
    following = client.get(f"/api/forms/{draft['id']}/questionnaire", headers=headers_for(other))
    assert following.get_json()["version"] == 2
    assert (
        client.get(
            f"/api/forms/{draft['id']}/questionnaire", headers=headers_for(student)
        ).status_code
        == 404
    )  # someone else's form
    moved = client.put(
        f"/api/forms/{draft['id']}", json={"answers": {"shirt": "m"}}, headers=headers_for(other)
    ).get_json()
    assert moved["questionnaire_version"] == 2
    assert moved["answers"] == {"nickname": "Bob", "shirt": "m"}  # age 40 is no text
    assert submit(client, other, draft["id"]).status_code == 200


def test_the_form_design_route_gives_what_a_new_form_answers(client, student, ball, event_id):
    """Does `GET /api/forms/questionnaire` give the ball's design for the ball, else the
    default?"""
    headers = headers_for(student)
    mine = client.get(f"/api/forms/questionnaire?event_id={event_id}", headers=headers)
    assert mine.get_json()["id"] == ball["id"]
    assert client.get("/api/forms/questionnaire", headers=headers).get_json()["is_default"]


def test_csv_follows_the_design(client, admin, student, ball, event_id):
    """Does the export of the ball's forms have a column per question, in order, with
    lists joined, ticks as yes/no and formula-like text defused?"""
    form = start(client, student, GOOD_ANSWERS, event_id=event_id, notes="-1+1")
    assert submit(client, student, form["id"]).status_code == 200
    answer = client.get(
        f"/api/admin/forms.csv?questionnaire_id={ball['id']}", headers=headers_for(admin)
    )
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    header, row = rows
    keys = [f["key"] for f in EVERY_KIND]
    assert header[6 : 6 + len(keys)] == keys
    cells = dict(zip(header, row, strict=True))
    assert cells["about"] == "'=cmd|' /C calc'!A0"
    assert cells["meals"] == "lunch; dinner" and cells["agree"] == "yes"
    assert cells["mobile"] == "'+79123456789" and cells["notes"] == "'-1+1"
    assert cells["questionnaire_version"] == "1"


def test_admins_search_the_text_answers(client, admin, student, ball, event_id):
    """Does the admins' search find a form by any text answer, in any case, whatever the
    design (the search text is kept by the service as answers change)?"""
    form = start(client, student, {**GOOD_ANSWERS, "nickname": "Жанна"}, event_id=event_id)
    client.put(
        f"/api/forms/{form['id']}",
        json={"answers": {"about": "Loves FOXTROT"}},
        headers=headers_for(student),
    )
    assert submit(client, student, form["id"]).status_code == 200

    def found(term):
        answer = client.get(
            "/api/admin/forms", query_string={"search": term}, headers=headers_for(admin)
        )
        return [f["id"] for f in answer.get_json()["items"]]

    assert found("жанна") == found("foxtrot") == found("ANN@EXAMPLE") == [form["id"]]
    assert found("cmd") == []  # the old answer to "about" is gone
