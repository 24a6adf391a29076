"""Worked solutions and hints: stored, revealed one at a time, earned by a correct answer or
a give-up, and never shown before (a walk over every student-visible route)."""

from __future__ import annotations

import re

import pytest

from tests.fixtures.users import headers_for
from tests.problems.conftest import PROBLEM_BODY
from webapp.extensions import db
from webapp.problems import rating
from webapp.problems.models import Attempt, UserRating

SOLUTION = "Worked-solution-zq81"
HINTS = ["First-hint-xk27", "Second-hint-vm43", "Third-hint-pw95"]
ANSWER = "quokka-answer"
HELPED = {**PROBLEM_BODY, "answer": ANSWER, "solution": SOLUTION, "hints": HINTS}
HX = {"HX-Request": "true"}
# Every route a student can reach; a new route under these is walked automatically.
STUDENT_PREFIXES = (
    "/api/problems",
    "/api/attempts",
    "/api/recommendations",
    "/api/progress",
    "/problems",
)
QUERIES = {"/api/attempts/my/by-status": "?correct=false"}


@pytest.fixture
def helped(make_problem, teacher):
    """An approved problem with an answer, a solution and three hints."""
    return make_problem(teacher, answer=ANSWER, solution=SOLUTION, hints=HINTS)


def test_solution_and_hints_are_stored_for_the_author(client, teacher, student):
    """Is a `solution` sent with a problem stored (no longer ignored) and shown to its
    author with the hints, while a student's view has only the number of hints?"""
    created = client.post("/api/problems", json=HELPED, headers=headers_for(teacher))
    assert created.status_code == 201
    body = created.get_json()
    assert body["solution"] == SOLUTION and body["hints"] == HINTS and body["hints_total"] == 3
    again = client.get(f"/api/problems/{body['id']}", headers=headers_for(teacher)).get_json()
    assert again["solution"] == SOLUTION and again["hints"] == HINTS


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"hints": [*HINTS, "a fourth"]}, "hints"),
        ({"hints": ["  "]}, "hints.0"),
        ({"hints": "one string"}, "hints"),
        ({"solution": "x" * 10001}, "solution"),
    ],
)
def test_bad_help_is_422_naming_the_field(client, teacher, fields, field):
    """Are more than three hints, a blank hint, or an over-long solution a 422 that names
    the field?"""
    answer = client.post(
        "/api/problems", json={**PROBLEM_BODY, **fields}, headers=headers_for(teacher)
    )
    assert answer.status_code == 422
    assert field in [error["field"] for error in answer.get_json()["errors"]]


def test_hints_come_one_at_a_time(client, student, helped):
    """Does each `hints/next` reveal exactly one more hint, and the fourth ask a 409?"""
    path = f"/api/problems/{helped}"
    assert client.get(f"{path}/help", headers=headers_for(student)).get_json()["hints"] == []
    for count in (1, 2, 3):
        answer = client.post(f"{path}/hints/next", headers=headers_for(student))
        assert answer.status_code == 200
        body = answer.get_json()
        assert body["hints"] == HINTS[:count] and body["hints_used"] == count
        assert body["solution"] is None and body["answer"] is None
    assert client.post(f"{path}/hints/next", headers=headers_for(student)).status_code == 409


def test_hints_lower_what_a_correct_answer_counts(client, app, make_user, make_problem, teacher):
    """Do two new students solving twin problems end with a lower rating for the one who used
    two hints than for the one who used none?"""
    unaided, helped_student = make_user("student"), make_user("student")
    twins = {
        user.id: make_problem(teacher, answer=ANSWER, hints=HINTS)
        for user in (unaided, helped_student)
    }
    for _ in range(2):
        client.post(
            f"/api/problems/{twins[helped_student.id]}/hints/next",
            headers=headers_for(helped_student),
        )
    for user in (unaided, helped_student):
        answer = client.post(
            "/api/attempts",
            json={"problem_id": twins[user.id], "answer": ANSWER},
            headers=headers_for(user),
        )
        assert answer.get_json()["is_correct"] is True
    with app.app_context():
        gain = {u.id: db.session.get(UserRating, u.id).rating for u in (unaided, helped_student)}
        hinted = db.session.query(Attempt).filter_by(user_id=helped_student.id).one()
        assert hinted.hints_used == 2 and hinted.rated
    assert gain[helped_student.id] < gain[unaided.id]


def test_credit_per_hint():
    """Is a correct answer worth 1, 0.75, 0.5, 0.25 after 0…3 hints, and a failure 0?"""
    assert [rating.credit(True, hints) for hints in range(4)] == [1.0, 0.75, 0.5, 0.25]
    assert rating.credit(False, 0) == 0.0
    plain = rating.update(0.0, 0, 0.0, 0, True)
    assert rating.update(0.0, 0, 0.0, 0, True, 0) == plain  # no hints: the plain Elo step


def test_give_up_reveals_the_solution_and_counts_as_a_failure(client, app, student, helped):
    """Is a give-up an attempt (not correct, rated as a failure) that reveals the answer and
    the solution; is a second give-up a 409, and nothing rated afterwards?"""
    path = f"/api/problems/{helped}"
    gave_up = client.post(f"{path}/give-up", headers=headers_for(student))
    assert gave_up.status_code == 201
    body = gave_up.get_json()
    assert body["gave_up"] is True and body["is_correct"] is False
    assert body["solution"] == SOLUTION and body["correct_answer"] == ANSWER
    help = client.get(f"{path}/help", headers=headers_for(student)).get_json()
    assert help["solution"] == SOLUTION and help["gave_up"] is True
    assert client.post(f"{path}/give-up", headers=headers_for(student)).status_code == 409
    client.post(
        "/api/attempts", json={"problem_id": helped, "answer": ANSWER}, headers=headers_for(student)
    )
    with app.app_context():
        attempts = db.session.query(Attempt).filter_by(user_id=student.id).order_by(Attempt.id)
        assert [(a.gave_up, a.rated) for a in attempts] == [(True, True), (False, False)]
        assert db.session.get(UserRating, student.id).rating < 0


def test_solution_comes_with_a_correct_answer_only(client, student, helped):
    """Does a wrong attempt keep the solution hidden, and a correct one reveal it?"""
    wrong = client.post(
        "/api/attempts", json={"problem_id": helped, "answer": "no"}, headers=headers_for(student)
    ).get_json()
    assert wrong["solution"] is None and wrong["correct_answer"] is None
    right = client.post(
        "/api/attempts", json={"problem_id": helped, "answer": ANSWER}, headers=headers_for(student)
    ).get_json()
    assert right["solution"] == SOLUTION
    assert (
        client.post(f"/api/problems/{helped}/give-up", headers=headers_for(student)).status_code
        == 409
    )


def test_pages_reveal_a_hint_then_the_solution_after_giving_up(client, student, helped):
    """Do the page's hint and give-up buttons swap in the next hint, then the solution?"""
    headers = {**headers_for(student), **HX}
    hint = client.post(f"/problems/{helped}/hints/next", headers=headers)
    assert hint.status_code == 200
    html = hint.get_data(as_text=True)
    assert HINTS[0] in html and HINTS[1] not in html and SOLUTION not in html
    gave_up = client.post(f"/problems/{helped}/give-up", headers=headers).get_data(as_text=True)
    assert SOLUTION in gave_up and HINTS[0] in gave_up
    page = client.get(f"/problems/{helped}", headers=headers_for(student)).get_data(as_text=True)
    assert SOLUTION in page


def test_a_correct_answer_on_the_page_swaps_in_the_solution(client, student, helped):
    """Does the feedback to a correct answer carry the solution (out of band into #help)?"""
    headers = {**headers_for(student), **HX}
    html = client.post(
        f"/problems/{helped}/attempts", data={"answer": ANSWER}, headers=headers
    ).get_data(as_text=True)
    assert 'hx-swap-oob="true"' in html and SOLUTION in html


def _student_routes(app):
    rules = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or not rule.rule.startswith(STUDENT_PREFIXES):
            continue
        if set(rule.arguments) - {"problem_id"}:
            continue  # pragma: no cover - no such student route today
        rules.append(rule.rule)
    return sorted(rules)


def _leaks(text: str, allowed_hints: int) -> list[str]:
    secrets = [SOLUTION, ANSWER, *HINTS[allowed_hints:]]
    return [secret for secret in secrets if secret in text]


def test_no_student_route_shows_an_unearned_solution_or_hint(client, app, student, helped):
    """Walks every GET route a student can reach (JSON, full pages and HTMX fragments) plus
    the student's own actions, after a wrong answer and one hint: does any of them show the
    solution, the answer, or a hint not yet revealed? (The revealed hint must show, so the
    walk is not vacuous.)"""
    headers = headers_for(student)
    seen: list[str] = []
    actions = [
        client.post("/api/attempts", json={"problem_id": helped, "answer": "no"}, headers=headers),
        client.post(f"/problems/{helped}/attempts", data={"answer": "no"}, headers=headers),
        client.post(
            f"/problems/{helped}/attempts", data={"answer": "no"}, headers={**headers, **HX}
        ),
        client.post(f"/api/problems/{helped}/hints/next", headers=headers),
    ]
    for answer in actions:
        assert answer.status_code < 300
        assert _leaks(answer.get_data(as_text=True), 1) == []

    routes = _student_routes(app)
    assert (
        "/api/problems/<int:problem_id>/help" in routes and "/problems/<int:problem_id>" in routes
    )
    for route in routes:
        url = re.sub(r"<int:problem_id>", str(helped), route) + QUERIES.get(route, "")
        for extra in ({}, HX):
            answer = client.get(url, headers={**headers, **extra})
            assert answer.status_code < 500, url
            text = answer.get_data(as_text=True)
            assert _leaks(text, 1) == [], url
            seen.append(text)
    assert any(HINTS[0] in text for text in seen)

    solved = client.post(
        "/api/attempts", json={"problem_id": helped, "answer": ANSWER}, headers=headers
    )
    assert solved.get_json()["solution"] == SOLUTION
    page = client.get(f"/problems/{helped}", headers=headers).get_data(as_text=True)
    assert SOLUTION in page
