"""Builders for the problem book's tests: problems in a given status, attempts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from webapp.extensions import db
from webapp.problems import services
from webapp.problems.models import Problem, ProblemStatus
from webapp.users.models import User

PROBLEM_BODY = {
    "title": "Half of seven",
    "statement": "What is 7/2?",
    "answer": "3.5",
    "topic": "arithmetic",
    "difficulty": 2,
}


@pytest.fixture
def make_problem(app: Flask) -> Callable[..., int]:
    """`make_problem(author, status="approved", **fields)` stores a problem, returns its id."""

    def make(author: User, status: str = "approved", **fields: Any) -> int:
        values = {**PROBLEM_BODY, **fields}
        with app.app_context():
            actor = db.session.get(User, author.id)
            problem = services.create_problem(actor, services.ProblemData(**values))
            problem.status = ProblemStatus(status)
            if status == "rejected":
                problem.reject_reason = "unclear"
            db.session.commit()
            return problem.id

    return make


@pytest.fixture
def attempt(app: Flask) -> Callable[[User, int, str], bool]:
    """`attempt(user, problem_id, answer)` records an attempt through the service."""

    def submit(user: User, problem_id: int, answer: str) -> bool:
        with app.app_context():
            actor = db.session.get(User, user.id)
            result = services.submit_attempt(actor, problem_id, answer).is_correct
            db.session.commit()
            return result

    return submit


@pytest.fixture
def load_problem(app: Flask) -> Callable[[int], Problem]:
    def load(problem_id: int) -> Problem:
        with app.app_context():
            problem = db.session.get(Problem, problem_id)
            db.session.expunge(problem)
            return problem

    return load
