"""Ratings under concurrent attempts on real PostgreSQL: no lost updates, no double rating."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from tests.fixtures.app import build_app
from tests.fixtures.services import concurrent_engine_options
from webapp.extensions import db
from webapp.problems import services
from webapp.problems.models import Attempt, ProblemRating, ProblemStatus, UserRating
from webapp.users.models import Role, User

pytestmark = pytest.mark.postgres


def _run_together(count: int, work: Callable[[int], None]) -> list[BaseException]:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as exc:  # collected and asserted by the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_attempts_keep_every_rating_update(postgres_url):
    """When 40 students answer one problem at once and one student answers it 30 times at
    once, does the problem count every first attempt and the student get rated once?"""
    # 30 answers from one student: above the brute-force limit, which is tested on its own.
    settings = {
        "SQLALCHEMY_ENGINE_OPTIONS": concurrent_engine_options(),
        "PROBLEM_ATTEMPTS_PER_WINDOW": 100,
    }
    app = build_app(postgres_url, settings)
    with app.app_context():
        db.create_all()
        author = User(role=Role.TEACHER, telegram_id=1, first_name="T")
        students = [User(telegram_id=100 + i, first_name=f"S{i}") for i in range(40)]
        db.session.add_all([author, *students])
        db.session.flush()
        problem = services.create_problem(author, services.ProblemData("P", "?", "42", "t"))
        problem.status = ProblemStatus.APPROVED
        db.session.commit()
        problem_id, student_ids = problem.id, [s.id for s in students]

    def answer(user_id: int, given: str) -> None:
        with app.app_context():
            services.submit_attempt(db.session.get(User, user_id), problem_id, given)
            db.session.commit()

    errors = _run_together(40, lambda i: answer(student_ids[i], "42" if i % 2 else "41"))
    errors += _run_together(30, lambda i: answer(student_ids[0], "42"))
    assert errors == []
    with app.app_context():
        rating = db.session.get(ProblemRating, problem_id)
        # 40 first attempts + student 0's first success (their first try was wrong).
        assert rating.attempts == 41
        assert db.session.get(UserRating, student_ids[0]).attempts == 2
        rated = db.session.scalar(
            db.select(db.func.count()).where(Attempt.user_id == student_ids[0], Attempt.rated)
        )
        assert rated == 2
        assert db.session.scalar(db.select(db.func.count()).select_from(Attempt)) == 70
        db.session.remove()
        db.engine.dispose()


def test_concurrent_answers_respect_the_attempt_limit(postgres_url):
    """When one student fires 20 answers at one problem at once, are exactly as many accepted
    as the brute-force limit allows, the rest refused with a 429?"""
    from webapp.errors import RateLimited

    settings = {
        "SQLALCHEMY_ENGINE_OPTIONS": concurrent_engine_options(),
        "PROBLEM_ATTEMPTS_PER_WINDOW": 5,
    }
    app = build_app(postgres_url, settings)
    with app.app_context():
        db.create_all()
        author = User(role=Role.TEACHER, telegram_id=1, first_name="T")
        student = User(telegram_id=2, first_name="S")
        db.session.add_all([author, student])
        db.session.flush()
        problem = services.create_problem(author, services.ProblemData("P", "?", "42", "t"))
        problem.status = ProblemStatus.APPROVED
        db.session.commit()
        problem_id, student_id = problem.id, student.id

    def answer(index: int) -> None:
        with app.app_context():
            services.submit_attempt(db.session.get(User, student_id), problem_id, str(index))
            db.session.commit()

    errors = _run_together(20, answer)
    assert len(errors) == 15 and all(isinstance(e, RateLimited) for e in errors)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Attempt)) == 5
        db.session.remove()
        db.engine.dispose()


def test_concurrent_approvals_decide_once(postgres_url):
    """When 20 moderators approve one problem at once, does exactly one succeed and the author
    get exactly one message?"""
    from webapp.errors import Conflict
    from webapp.outbox import queued_for

    app = build_app(postgres_url, {"SQLALCHEMY_ENGINE_OPTIONS": concurrent_engine_options()})
    with app.app_context():
        db.create_all()
        author = User(role=Role.TEACHER, telegram_id=7, first_name="T")
        moderators = [User(role=Role.MODERATOR, telegram_id=50 + i) for i in range(20)]
        db.session.add_all([author, *moderators])
        db.session.flush()
        problem_id = services.create_problem(author, services.ProblemData("P", "?", "1", "t")).id
        db.session.commit()
        moderator_ids = [m.id for m in moderators]
    outcomes: list[str] = []

    def approve(index: int) -> None:
        with app.test_request_context():  # the refusal's message is translated for a request
            try:
                services.approve_problem(db.session.get(User, moderator_ids[index]), problem_id)
                db.session.commit()
                outcomes.append("approved")
            except Conflict:
                db.session.rollback()
                outcomes.append("conflict")

    assert _run_together(20, approve) == []
    assert sorted(outcomes) == ["approved"] + ["conflict"] * 19
    with app.app_context():
        assert len(queued_for(7)) == 1
        db.session.remove()
        db.engine.dispose()


def test_quick_taps_reveal_each_hint_once(postgres_url):
    """When one student taps "hint" 10 times at once on a problem with three hints, and
    gives up 10 times at once, are exactly three hints revealed (the rest 409) and exactly
    one give-up recorded?"""
    from webapp.errors import Conflict
    from webapp.problems.models import HintUse

    app = build_app(postgres_url, {"SQLALCHEMY_ENGINE_OPTIONS": concurrent_engine_options()})
    with app.app_context():
        db.create_all()
        author = User(role=Role.TEACHER, telegram_id=1, first_name="T")
        student = User(telegram_id=2, first_name="S")
        db.session.add_all([author, student])
        db.session.flush()
        data = services.ProblemData("P", "?", "42", "t", hints=["a", "b", "c"], solution="s")
        problem = services.create_problem(author, data)
        problem.status = ProblemStatus.APPROVED
        db.session.commit()
        problem_id, student_id = problem.id, student.id
    refused: list[int] = []

    def tap(action: Callable[[User, int], object]) -> None:
        with app.app_context():
            try:
                action(db.session.get(User, student_id), problem_id)
                db.session.commit()
            except Conflict:
                db.session.rollback()
                refused.append(1)

    assert _run_together(10, lambda _: tap(services.reveal_next_hint)) == []
    assert len(refused) == 7
    assert _run_together(10, lambda _: tap(services.give_up)) == []
    assert len(refused) == 7 + 9
    with app.app_context():
        assert db.session.get(HintUse, (student_id, problem_id)).hints_used == 3
        gave_up = db.session.scalars(db.select(Attempt).where(Attempt.gave_up)).all()
        assert len(gave_up) == 1 and gave_up[0].hints_used == 3
        db.session.remove()
        db.engine.dispose()
