"""Recommendations: only unsolved approved problems of others, near the target, mixed topics."""

from __future__ import annotations

import random

import pytest

from tests.fixtures.users import headers_for
from webapp.extensions import db
from webapp.problems import services
from webapp.problems.models import Attempt, ProblemStatus
from webapp.users.models import User


def _recommended(client, user, **query) -> list[dict]:
    answer = client.get("/api/recommendations", query_string=query, headers=headers_for(user))
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["items"]


@pytest.mark.parametrize("seed", range(4))
def test_never_solved_unapproved_deleted_or_own(client, app, make_user, seed):
    """Over random data, is every recommendation an approved, live, unsolved problem the user
    did not write — and are all such problems eligible when the limit allows?"""
    rng = random.Random(seed)
    teachers = [make_user("teacher") for _ in range(3)]
    students = [make_user("student") for _ in range(4)]
    everyone = teachers + students
    with app.app_context():
        problems = []
        for index in range(30):
            author = db.session.get(User, rng.choice(teachers).id)
            problem = services.create_problem(
                author,
                services.ProblemData(
                    f"P{index}", "?", str(index), rng.choice("abcd"), rng.randint(1, 5)
                ),
            )
            problem.status = rng.choice(list(ProblemStatus))
            if rng.random() < 0.1:
                problem.deleted_at = problem.created_at
            problems.append(problem)
        db.session.commit()
        approved = [p for p in problems if p.status == "approved" and p.deleted_at is None]
        for _ in range(80):  # random attempts, right or wrong, through the real service
            user = db.session.get(User, rng.choice(everyone).id)
            problem = rng.choice(approved)
            guess = problem.answer if rng.random() < 0.5 else "nope"
            services.submit_attempt(user, problem.id, guess)
        db.session.commit()
        eligible = {}
        for user in everyone:
            solved = set(
                db.session.scalars(
                    db.select(Attempt.problem_id).where(
                        Attempt.user_id == user.id, Attempt.is_correct.is_(True)
                    )
                )
            )
            eligible[user.id] = {
                p.id for p in approved if p.id not in solved and p.author_id != user.id
            }
    for user in everyone:
        for target in (0.3, 0.7, 0.9):
            items = _recommended(client, user, limit=50, target=target)
            ids = [item["problem"]["id"] for item in items]
            assert len(ids) == len(set(ids))
            assert set(ids) == eligible[user.id]
            assert all("answer" not in item["problem"] for item in items)
        few = _recommended(client, user, limit=3)
        assert len(few) == min(3, len(eligible[user.id]))
        assert {item["problem"]["id"] for item in few} <= eligible[user.id]


def test_closest_to_target_first(client, teacher, student, make_problem):
    """Does a 70 % target pick an easier problem first and a 30 % target a harder one?"""
    ids = {level: make_problem(teacher, difficulty=level, topic="t") for level in (1, 3, 5)}
    easy_first = _recommended(client, student, limit=3, target=0.7)
    assert easy_first[0]["problem"]["id"] == ids[1]
    assert easy_first[0]["predicted_success"] == pytest.approx(0.7311, abs=1e-3)
    hard_first = _recommended(client, student, limit=3, target=0.3)
    assert hard_first[0]["problem"]["id"] == ids[5]


def test_topics_are_mixed(client, teacher, student, make_problem):
    """With several topics available, do the first picks come from different topics even when
    one topic has all the best-fitting problems?"""
    for _ in range(5):
        make_problem(teacher, difficulty=1, topic="Algebra")
    make_problem(teacher, difficulty=4, topic="Geometry")
    make_problem(teacher, difficulty=5, topic="Logic")
    items = _recommended(client, student, limit=3)
    assert {item["problem"]["topic"] for item in items} == {"Algebra", "Geometry", "Logic"}
    assert items[0]["problem"]["topic"] == "Algebra"  # the best fit leads


def test_solving_removes_a_problem(client, teacher, student, make_problem, attempt):
    """Does a solved problem leave the recommendations while a failed one stays?"""
    solved, failed = make_problem(teacher), make_problem(teacher)
    attempt(student, solved, "3.5")
    attempt(student, failed, "no")
    ids = [item["problem"]["id"] for item in _recommended(client, student)]
    assert ids == [failed]


@pytest.mark.parametrize("query", ["limit=0", "limit=51", "target=0", "target=1", "target=x"])
def test_bad_query_is_422(client, student, query):
    """Are a limit or target out of range a 422?"""
    assert (
        client.get(f"/api/recommendations?{query}", headers=headers_for(student)).status_code == 422
    )


def test_default_target_is_reported(client, student):
    """Does the answer say which target it used (0.7 by default)?"""
    body = client.get("/api/recommendations", headers=headers_for(student)).get_json()
    assert body == {"items": [], "target": 0.7}
