"""Moderation of the problem book: deleting with a reason (told to the author, audited on
the problem), the catalogue by author, and the author's view of status, reason and solve
rate."""

from __future__ import annotations

import json

from tests.fixtures.users import headers_for
from webapp.extensions import db
from webapp.outbox import queued_for
from webapp.problems.models import Problem

HX = {"HX-Request": "true"}


def test_moderator_deletes_with_a_reason(client, app, make_user, moderator, make_problem):
    """Does a moderator's delete need a reason (422 naming it), record who and why, hide the
    problem, and tell the author the reason in their language?"""
    author = make_user("teacher", language_code="ru")
    problem_id = make_problem(author)
    path = f"/api/problems/{problem_id}"
    missing = client.delete(path, json={}, headers=headers_for(moderator))
    assert missing.status_code == 422
    assert "reason" in [error["field"] for error in missing.get_json()["errors"]]
    done = client.delete(path, json={"reason": "дубликат"}, headers=headers_for(moderator))
    assert done.status_code == 204
    with app.app_context():
        problem = db.session.get(Problem, problem_id)
        assert problem.deleted_by_id == moderator.id and problem.delete_reason == "дубликат"
        assert problem.deleted_at is not None
        [message] = queued_for(author.telegram_id)
        assert "удалена" in message.text and "дубликат" in message.text
    assert client.get(path, headers=headers_for(author)).status_code == 404


def test_catalogue_by_creator(client, make_user, student, make_problem):
    """Does `creator_id` list only that author's approved problems (never their pending ones
    for a student)?"""
    first, second = make_user("teacher"), make_user("teacher")
    mine = make_problem(first)
    make_problem(first, status="pending")
    make_problem(second)
    listed = client.get(f"/api/problems?creator_id={first.id}", headers=headers_for(student))
    assert [item["id"] for item in listed.get_json()["items"]] == [mine]
    bad = client.get("/api/problems?creator_id=0", headers=headers_for(student))
    assert bad.status_code == 422


def test_author_sees_status_reason_and_solve_rate(
    client, make_user, teacher, moderator, make_problem, attempt
):
    """Does the author's list give every problem's status, its rejection or deletion reason,
    and the share of people who tried it that solved it (the author's own tries left out)?"""
    solved_one = make_problem(teacher)
    rejected = make_problem(teacher, status="rejected")
    deleted = make_problem(teacher)
    solvers = [make_user("student") for _ in range(3)]
    attempt(solvers[0], solved_one, "3.5")
    attempt(solvers[1], solved_one, "wrong")
    attempt(solvers[1], solved_one, "3.5")
    attempt(solvers[2], solved_one, "wrong")
    attempt(teacher, solved_one, "wrong")
    client.delete(
        f"/api/problems/{deleted}", json={"reason": "copied"}, headers=headers_for(moderator)
    )
    items = client.get("/api/problems/mine", headers=headers_for(teacher)).get_json()["items"]
    by_id = {item["id"]: item for item in items}
    assert by_id[solved_one]["solvers"] == 3 and by_id[solved_one]["solved"] == 2
    assert round(by_id[solved_one]["solve_rate"], 3) == 0.667
    assert by_id[rejected]["status"] == "rejected" and by_id[rejected]["reject_reason"] == "unclear"
    assert by_id[rejected]["solve_rate"] is None
    assert by_id[deleted]["delete_reason"] == "copied" and by_id[deleted]["deleted_at"]

    page = client.get("/problems/mine", headers=headers_for(teacher)).get_data(as_text=True)
    assert 'data-solve-rate="0.67"' in page and "copied" in page and "unclear" in page


def test_staff_delete_from_the_problem_page(client, moderator, student, teacher, make_problem):
    """Does the problem page offer staff (only) a delete with a reason, refuse a blank one
    inline, and delete with one?"""
    problem_id = make_problem(teacher)
    page = client.get(f"/problems/{problem_id}", headers=headers_for(moderator))
    assert 'id="delete-problem"' in page.get_data(as_text=True)
    student_page = client.get(f"/problems/{problem_id}", headers=headers_for(student))
    assert 'id="delete-problem"' not in student_page.get_data(as_text=True)
    assert (
        client.post(
            f"/problems/{problem_id}/delete", data={"reason": "x"}, headers=headers_for(student)
        ).status_code
        == 403
    )
    headers = {**headers_for(moderator), **HX}
    blank = client.post(f"/problems/{problem_id}/delete", data={"reason": " "}, headers=headers)
    assert blank.status_code == 422 and 'data-field="reason"' in blank.get_data(as_text=True)
    done = client.post(f"/problems/{problem_id}/delete", data={"reason": "spam"}, headers=headers)
    assert done.status_code == 204
    assert json.loads(done.headers["HX-Location"])["path"] == "/problems"
    assert client.get(f"/problems/{problem_id}", headers=headers_for(student)).status_code == 404
