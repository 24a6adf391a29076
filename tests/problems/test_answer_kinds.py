"""Answer kinds: text (as before), number with an optional tolerance, choice with one or
several correct options shuffled per student; bad designs are a 422 naming the field."""

from __future__ import annotations

import pytest

from tests.fixtures.users import headers_for
from tests.problems.conftest import PROBLEM_BODY
from webapp.extensions import db
from webapp.problems.answers import is_close, same_choices
from webapp.problems.models import Problem, ProblemStatus

HX = {"HX-Request": "true"}
OPTIONS = ["two", "three", "four", "five", "six", "seven"]
CHOICE = {
    **PROBLEM_BODY,
    "answer_kind": "choice",
    "options": OPTIONS,
    "correct_options": [0, 2],
}
del CHOICE["answer"]


def _attempt(client, user, problem_id, **answer):
    return client.post(
        "/api/attempts", json={"problem_id": problem_id, **answer}, headers=headers_for(user)
    )


def test_is_close():
    """Is a number within the tolerance right, outside it or not a number wrong, and without
    a tolerance only the exact value right?"""
    assert is_close("3,141", "3.14", 0.01) and is_close("3.13", "3.14", 0.01)
    assert not is_close("3.2", "3.14", 0.01) and not is_close("pi", "3.14", 0.01)
    assert is_close("7/2", "3.5", None) and not is_close("3.5000001", "3.5", None)
    assert same_choices([2, 0], [0, 2]) and not same_choices([0], [0, 2])


def test_number_answers_within_tolerance(client, teacher, student, make_problem):
    """Does a `number` problem accept an answer within its tolerance and refuse one outside?"""
    problem_id = make_problem(teacher, answer_kind="number", answer="9.81", tolerance=0.05)
    assert _attempt(client, student, problem_id, answer="9.8").get_json()["is_correct"] is True
    assert _attempt(client, student, problem_id, answer="9.9").get_json()["is_correct"] is False


def test_choice_with_several_correct_options(client, teacher, student, make_problem):
    """Is a choice right only with exactly its correct options, and does the solver see the
    options but not which are correct?"""
    problem_id = make_problem(
        teacher, answer=None, answer_kind="choice", options=OPTIONS, correct_options=[0, 2]
    )
    seen = client.get(f"/api/problems/{problem_id}", headers=headers_for(student)).get_json()
    assert sorted(option["text"] for option in seen["options"]) == sorted(OPTIONS)
    assert seen["multiple"] is True and "correct_options" not in seen and "answer" not in seen
    assert _attempt(client, student, problem_id, choices=[0]).get_json()["is_correct"] is False
    assert (
        _attempt(client, student, problem_id, choices=[0, 1, 2]).get_json()["is_correct"] is False
    )
    right = _attempt(client, student, problem_id, choices=[2, 0]).get_json()
    assert right["is_correct"] is True and right["answer"] == "two; four"
    author = client.get(f"/api/problems/{problem_id}", headers=headers_for(teacher)).get_json()
    assert author["correct_options"] == [0, 2] and author["answer"] == "two; four"


def test_options_are_shuffled_per_student_and_stable(client, teacher, make_user, make_problem):
    """Does each student get their own order of the options, the same every time they look?"""
    problem_id = make_problem(
        teacher, answer=None, answer_kind="choice", options=OPTIONS, correct_options=[1]
    )
    orders = []
    for _ in range(4):
        user = make_user("student")
        looks = [
            [o["id"] for o in client.get(url, headers=headers_for(user)).get_json()["options"]]
            for url in (f"/api/problems/{problem_id}", f"/api/problems/{problem_id}")
        ]
        assert looks[0] == looks[1]
        orders.append(tuple(looks[0]))
    assert len(set(orders)) > 1  # not one order for everybody


@pytest.mark.parametrize(
    ("design", "field"),
    [
        ({"answer_kind": "number", "answer": "many"}, "answer"),
        ({"tolerance": 0.1}, "tolerance"),
        ({"answer_kind": "number", "tolerance": -1}, "tolerance"),
        ({"answer_kind": "choice", "options": ["a", "b"], "correct_options": [0]}, "answer"),
        ({**CHOICE, "options": ["only"]}, "options"),
        ({**CHOICE, "options": ["Same", "same "], "correct_options": [0]}, "options"),
        ({**CHOICE, "correct_options": [9]}, "correct_options"),
        ({**CHOICE, "correct_options": []}, "correct_options"),
        ({"options": ["a", "b"]}, "options"),
        ({"answer": None}, "answer"),
        ({"answer_kind": "essay"}, "answer_kind"),
    ],
)
def test_bad_designs_are_422_naming_the_field(client, teacher, design, field):
    """Is every design that does not fit its kind refused with a 422 naming the field?"""
    body = {**PROBLEM_BODY, **design}
    body = {key: value for key, value in body.items() if value is not None}
    answer = client.post("/api/problems", json=body, headers=headers_for(teacher))
    assert answer.status_code == 422
    assert field in [error["field"] for error in answer.get_json()["errors"]]


def test_answering_the_wrong_way_is_422(client, teacher, student, make_problem):
    """Are choices sent to a text problem, text sent to a choice, or an option that does not
    exist, a 422 naming the field (and no attempt counted)?"""
    text_id = make_problem(teacher)
    choice_id = make_problem(
        teacher, answer=None, answer_kind="choice", options=OPTIONS, correct_options=[1]
    )
    cases = [
        (text_id, {"choices": [0]}, "answer"),
        (choice_id, {"answer": "three"}, "choices"),
        (choice_id, {"choices": [7]}, "choices"),
        (text_id, {"answer": "1", "choices": [0]}, "choices"),
        (text_id, {}, "choices"),
    ]
    for problem_id, answer, field in cases:
        reply = _attempt(client, student, problem_id, **answer)
        assert reply.status_code == 422, answer
        assert field in [error["field"] for error in reply.get_json()["errors"]], answer
    assert client.get("/api/attempts/my", headers=headers_for(student)).get_json()["total"] == 0


def test_choice_on_the_pages(client, teacher, student):
    """Can a teacher design a choice on the form (correct options marked *), and a student
    tick the options on the problem page and be told it is right?"""
    form = {
        **PROBLEM_BODY,
        "answer": "",
        "answer_kind": "choice",
        "options": "* two\nthree\n*four",
    }
    saved = client.post("/problems/new", data=form, headers={**headers_for(teacher), **HX})
    assert saved.status_code == 204
    mine = client.get("/api/problems/mine", headers=headers_for(teacher)).get_json()["items"][0]
    assert mine["correct_options"] == [0, 2] and [o["text"] for o in mine["options"]] == [
        "two",
        "three",
        "four",
    ]
    bad = client.post(
        "/problems/new",
        data={**form, "options": "two\nthree"},
        headers={**headers_for(teacher), **HX},
    )
    assert bad.status_code == 422 and 'data-field="options"' in bad.get_data(as_text=True)

    with client.application.app_context():
        db.session.get(Problem, mine["id"]).status = ProblemStatus.APPROVED
        db.session.commit()
    page = client.get(f"/problems/{mine['id']}", headers=headers_for(student)).get_data(
        as_text=True
    )
    assert page.count('name="choice"') == 3
    answer = client.post(
        f"/problems/{mine['id']}/attempts",
        data={"choice": ["0", "2"]},
        headers={**headers_for(student), **HX},
    )
    assert 'data-feedback="correct"' in answer.get_data(as_text=True)
