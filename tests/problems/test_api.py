"""The problem book over HTTP: authoring, moderation, visibility, attempts and history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.fixtures.users import headers_for
from tests.problems.conftest import PROBLEM_BODY
from webapp.extensions import db
from webapp.outbox import queued_for
from webapp.problems.models import Attempt, ProblemRating, UserRating


def test_lifecycle_create_approve_solve(client, teacher, moderator, student):
    """Does a teacher's problem stay hidden until a moderator approves it, then open to
    students without its answer?"""
    created = client.post("/api/problems", json=PROBLEM_BODY, headers=headers_for(teacher))
    assert created.status_code == 201
    problem = created.get_json()
    assert problem["status"] == "pending" and problem["answer"] == "3.5"
    path = f"/api/problems/{problem['id']}"
    assert client.get(path, headers=headers_for(student)).status_code == 404
    assert client.get("/api/problems", headers=headers_for(student)).get_json()["total"] == 0

    approved = client.patch(f"{path}/approve", headers=headers_for(moderator))
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"

    seen = client.get(path, headers=headers_for(student)).get_json()
    assert seen["title"] == PROBLEM_BODY["title"] and "answer" not in seen
    listed = client.get("/api/problems", headers=headers_for(student)).get_json()
    assert [p["id"] for p in listed["items"]] == [problem["id"]]
    assert "answer" not in listed["items"][0]
    assert client.get(path, headers=headers_for(teacher)).get_json()["answer"] == "3.5"


def test_author_hears_of_approval_and_rejection(client, app, make_user, moderator):
    """Does the bot queue one message to the author per decision, in their language?"""
    author = make_user("teacher", language_code="ru")
    headers = headers_for(author)
    problem_id = client.post("/api/problems", json=PROBLEM_BODY, headers=headers).get_json()["id"]
    client.patch(
        f"/api/problems/{problem_id}/reject",
        json={"reason": "опечатка"},
        headers=headers_for(moderator),
    )
    client.put(f"/api/problems/{problem_id}", json=PROBLEM_BODY, headers=headers)
    client.patch(f"/api/problems/{problem_id}/approve", headers=headers_for(moderator))
    with app.app_context():
        messages = queued_for(author.telegram_id)
        texts = [m.text for m in messages]
        keys = [m.dedupe_key for m in messages]
    assert len(texts) == 2
    assert "отклонена" in texts[0] and "опечатка" in texts[0]
    assert "одобрена" in texts[1]
    assert keys == [
        f"problem-moderated:{problem_id}:rejected:2",
        f"problem-moderated:{problem_id}:approved:4",
    ]


def test_author_without_telegram_gets_no_message(client, app, make_user, moderator):
    """Is an author without a Telegram chat simply skipped (no error, nothing queued)?"""
    author = make_user("admin", telegram_id=None, login="boss", password="pw-123456")
    token = client.post("/api/auth/login", json={"username": "boss", "password": "pw-123456"})
    headers = {"Authorization": f"Bearer {token.get_json()['access_token']}"}
    problem_id = client.post("/api/problems", json=PROBLEM_BODY, headers=headers).get_json()["id"]
    assert (
        client.patch(f"/api/problems/{problem_id}/approve", headers=headers_for(moderator))
    ).status_code == 200
    with app.app_context():
        from webapp.outbox import OutgoingMessage

        assert db.session.query(OutgoingMessage).count() == 0
    assert author.telegram_id is None


def test_edit_sends_back_to_pending_and_clears_reason(client, teacher, moderator, make_problem):
    """Does an edit of a rejected or approved problem put it back in the queue, reason gone?"""
    problem_id = make_problem(teacher, "rejected")
    body = {**PROBLEM_BODY, "title": "Fixed"}
    edited = client.put(f"/api/problems/{problem_id}", json=body, headers=headers_for(teacher))
    data = edited.get_json()
    assert (
        data["status"] == "pending" and data["reject_reason"] is None and data["title"] == "Fixed"
    )
    queue = client.get("/api/problems/moderation", headers=headers_for(moderator)).get_json()
    assert [p["id"] for p in queue["items"]] == [problem_id]

    approved_id = make_problem(teacher, "approved")
    client.put(f"/api/problems/{approved_id}", json=body, headers=headers_for(teacher))
    queue = client.get("/api/problems/moderation", headers=headers_for(moderator)).get_json()
    assert {p["id"] for p in queue["items"]} == {problem_id, approved_id}


@pytest.mark.parametrize("status", ["approved", "rejected"])
@pytest.mark.parametrize("action", ["approve", "reject"])
def test_deciding_twice_is_a_conflict(client, teacher, moderator, make_problem, status, action):
    """Is approving or rejecting a problem that is not pending a 409?"""
    problem_id = make_problem(teacher, status)
    answer = client.patch(
        f"/api/problems/{problem_id}/{action}", json={"reason": "x"}, headers=headers_for(moderator)
    )
    assert answer.status_code == 409


def test_nobody_moderates_their_own_problem(client, admin, make_problem):
    """Can an admin approve a problem they wrote themselves? (No.)"""
    problem_id = make_problem(admin, "pending")
    assert (
        client.patch(f"/api/problems/{problem_id}/approve", headers=headers_for(admin))
    ).status_code == 403


@pytest.mark.parametrize("reason", [None, "", "   ", "x" * 501])
def test_reject_needs_a_reason(client, teacher, moderator, make_problem, reason):
    """Is a rejection without a (short enough) reason a 422?"""
    problem_id = make_problem(teacher, "pending")
    body = {} if reason is None else {"reason": reason}
    answer = client.patch(
        f"/api/problems/{problem_id}/reject", json=body, headers=headers_for(moderator)
    )
    assert answer.status_code == 422 and answer.get_json()["errors"]


@pytest.mark.parametrize(
    "change",
    [
        {"title": ""},
        {"title": "   "},
        {"title": "x" * 201},
        {"statement": ""},
        {"answer": ""},
        {"topic": "t" * 65},
        {"difficulty": 0},
        {"difficulty": 6},
        {"difficulty": "hard"},
    ],
)
def test_invalid_problem_is_422(client, teacher, change):
    """Are empty, blank, too long and out-of-range fields refused with field errors?"""
    answer = client.post(
        "/api/problems", json={**PROBLEM_BODY, **change}, headers=headers_for(teacher)
    )
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert {e["field"].split(".")[-1] for e in answer.get_json()["errors"]} == set(change)


def test_deleted_problem_disappears_but_history_stays(
    client, teacher, admin, student, make_problem, attempt
):
    """After an admin deletes a problem, is it gone for everyone while attempts remain?"""
    problem_id = make_problem(teacher)
    attempt(student, problem_id, "3.5")
    gone = client.delete(
        f"/api/problems/{problem_id}", json={"reason": "duplicate"}, headers=headers_for(admin)
    )
    assert gone.status_code == 204
    for user in (student, teacher, admin):
        assert (
            client.get(f"/api/problems/{problem_id}", headers=headers_for(user)).status_code == 404
        )
    again = client.delete(
        f"/api/problems/{problem_id}", json={"reason": "duplicate"}, headers=headers_for(admin)
    )
    assert again.status_code == 404
    history = client.get("/api/attempts/my", headers=headers_for(student)).get_json()
    assert [a["problem_id"] for a in history["items"]] == [problem_id]


def test_list_filters_by_topic_and_search(client, teacher, student, moderator, make_problem):
    """Do topic (any case), search (title or statement) and paging narrow the list?"""
    algebra = make_problem(teacher, topic="Algebra", title="Quadratic roots")
    geometry = make_problem(teacher, topic="Geometry", statement="Find the hypotenuse")
    make_problem(teacher, "pending", topic="Algebra")
    headers = headers_for(student)

    def ids(query: str) -> list[int]:
        return [
            p["id"]
            for p in client.get(f"/api/problems?{query}", headers=headers).get_json()["items"]
        ]

    assert ids("topic=algebra") == [algebra]
    assert ids("search=HYPOTENUSE") == [geometry]
    assert ids("search=quadratic&topic=geometry") == []
    assert ids("") == [geometry, algebra]
    page = client.get("/api/problems?limit=1&skip=1", headers=headers).get_json()
    assert page["total"] == 2 and [p["id"] for p in page["items"]] == [algebra]
    assert client.get("/api/problems?status=pending", headers=headers).status_code == 403
    pending = client.get("/api/problems?status=pending", headers=headers_for(moderator)).get_json()
    assert pending["total"] == 1


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "skip=-1", "status=lost"])
def test_list_rejects_bad_query(client, student, query):
    """Are bad paging and unknown statuses a 422?"""
    assert client.get(f"/api/problems?{query}", headers=headers_for(student)).status_code == 422


def test_search_treats_wildcards_literally(client, teacher, student, make_problem):
    """Are `%` and `_` in a problem search matched literally, not as LIKE wildcards?"""
    underscore = make_problem(teacher, title="snake_case")
    make_problem(teacher, title="snakeXcase")
    percent = make_problem(teacher, title="100% sure")

    def ids(term):
        body = client.get(
            "/api/problems", query_string={"search": term}, headers=headers_for(student)
        )
        return {p["id"] for p in body.get_json()["items"]}

    assert ids("e_c") == {underscore}
    assert ids("%") == {percent}


def test_mine_lists_own_problems_in_every_status(client, teacher, make_user, make_problem):
    """Does `mine` show the author's problems in all statuses, with answers, and no one else's?"""
    own = {make_problem(teacher, status) for status in ("pending", "approved", "rejected")}
    make_problem(make_user("teacher"))
    body = client.get("/api/problems/mine", headers=headers_for(teacher)).get_json()
    assert {p["id"] for p in body["items"]} == own
    assert all("answer" in p for p in body["items"])


@pytest.mark.parametrize(
    ("given", "correct"),
    [("3.5", True), ("3,5", True), (" 7/2 ", True), ("3.50", True), ("3", False), ("x", False)],
)
def test_attempt_checks_and_reveals_only_when_correct(
    client, teacher, student, make_problem, given, correct
):
    """Is the answer checked forgivingly, and revealed only by a correct attempt?"""
    problem_id = make_problem(teacher)
    answer = client.post(
        "/api/attempts",
        json={"problem_id": problem_id, "answer": given},
        headers=headers_for(student),
    )
    assert answer.status_code == 201
    body = answer.get_json()
    assert body["is_correct"] is correct
    assert body["correct_answer"] == ("3.5" if correct else None)
    assert 0 < body["predicted_success"] < 1


@pytest.mark.parametrize(
    "body",
    [
        {"problem_id": 1},
        {"problem_id": 1, "answer": ""},
        {"problem_id": 0, "answer": "1"},
        {"problem_id": 1, "answer": None, "choices": None},  # found by the fuzzer: was a 500
        {"answer": None, "choices": None},
        {"problem_id": 1, "choices": [False]},  # found by the fuzzer: a bool is not an option
    ],
)
def test_attempt_validation(client, student, body):
    """Is an attempt without an answer (left out or null) or with a bad id a 422?"""
    assert client.post("/api/attempts", json=body, headers=headers_for(student)).status_code == 422


def test_attempt_on_unknown_problem_is_404(client, student):
    """Is an attempt on a problem that does not exist a 404?"""
    answer = client.post(
        "/api/attempts", json={"problem_id": 999, "answer": "1"}, headers=headers_for(student)
    )
    assert answer.status_code == 404


def test_history_endpoints(client, app, teacher, student, make_user, make_problem, attempt):
    """Do the history endpoints return only my attempts, filtered and newest first?"""
    first, second = make_problem(teacher), make_problem(teacher, answer="42")
    attempt(student, first, "1")
    attempt(student, first, "3.5")
    attempt(student, second, "41")
    attempt(make_user(), first, "3.5")  # someone else's
    headers = headers_for(student)

    def answers(path: str) -> list[str]:
        return [a["answer"] for a in client.get(path, headers=headers).get_json()["items"]]

    assert answers("/api/attempts/my") == ["41", "3.5", "1"]
    assert answers("/api/attempts/my/by-status?correct=true") == ["3.5"]
    assert answers("/api/attempts/my/by-status?correct=false") == ["41", "1"]
    assert answers(f"/api/attempts/my/problem/{first}") == ["3.5", "1"]
    latest = client.get(f"/api/attempts/my/problem/{first}/latest", headers=headers).get_json()
    assert latest["answer"] == "3.5" and latest["is_correct"] is True
    assert client.get("/api/attempts/my/by-status", headers=headers).status_code == 422

    with app.app_context():  # spread the attempts over time to test the range
        rows = db.session.query(Attempt).filter_by(user_id=student.id).order_by(Attempt.id).all()
        base = datetime(2026, 1, 1, tzinfo=UTC)
        for offset, row in enumerate(rows):
            row.created_at = base + timedelta(days=offset)
        db.session.commit()
    in_range = (
        "/api/attempts/my/range?from=2026-01-01T12:00:00%2B00:00&to=2026-01-03T02:59:59%2B03:00"
    )
    assert answers(in_range) == ["3.5"]
    assert answers("/api/attempts/my/range?from=2026-01-02T00:00:00Z") == ["41", "3.5"]
    assert answers("/api/attempts/my/range?to=2026-01-01T00:00:00Z") == ["1"]


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
        "from=2026-01-01T00:00:00",
        "to=yesterday",
    ],
)
def test_range_rejects_reversed_or_naive_times(client, student, query):
    """Is a range with from > to, a time without an offset, or garbage a 422?"""
    answer = client.get(f"/api/attempts/my/range?{query}", headers=headers_for(student))
    assert answer.status_code == 422


def test_latest_without_attempts_is_404(client, student, teacher, make_problem):
    """Is the latest attempt on a problem I never tried a 404?"""
    problem_id = make_problem(teacher)
    answer = client.get(
        f"/api/attempts/my/problem/{problem_id}/latest", headers=headers_for(student)
    )
    assert answer.status_code == 404


def test_prediction_learns_from_attempts(client, app, teacher, student, make_problem, attempt):
    """Does a correct attempt raise the solver's rating, lower the problem's, and mark solved?"""
    problem_id = make_problem(teacher, difficulty=3)
    path = f"/api/problems/{problem_id}/prediction"
    before = client.get(path, headers=headers_for(student)).get_json()
    assert before == {
        "problem_id": problem_id,
        "predicted_success": 0.5,
        "user_rating": 0.0,
        "user_attempts": 0,
        "problem_rating": 0.0,
        "problem_attempts": 0,
        "solved": False,
    }
    attempt(student, problem_id, "3.5")
    after = client.get(path, headers=headers_for(student)).get_json()
    assert after["user_rating"] > 0 > after["problem_rating"]
    assert after["predicted_success"] > 0.5
    assert after["user_attempts"] == after["problem_attempts"] == 1
    assert after["solved"] is True


def test_author_difficulty_is_the_prior(client, teacher, student, make_problem):
    """Does a harder declared difficulty start with a lower predicted success?"""
    easy, hard = make_problem(teacher, difficulty=1), make_problem(teacher, difficulty=5)
    headers = headers_for(student)
    p_easy = client.get(f"/api/problems/{easy}/prediction", headers=headers).get_json()
    p_hard = client.get(f"/api/problems/{hard}/prediction", headers=headers).get_json()
    assert p_easy["predicted_success"] > 0.5 > p_hard["predicted_success"]


def test_only_attempts_until_first_success_are_rated(app, teacher, student, make_problem, attempt):
    """Do repeated answers after solving, and the author's own answers, leave ratings alone?"""
    problem_id = make_problem(teacher)
    attempt(student, problem_id, "wrong")
    attempt(student, problem_id, "3.5")
    for _ in range(3):
        attempt(student, problem_id, "3.5")
    attempt(teacher, problem_id, "3.5")
    with app.app_context():
        rated = [a.rated for a in db.session.query(Attempt).order_by(Attempt.id)]
        assert rated == [True, True, False, False, False, False]
        assert db.session.get(UserRating, student.id).attempts == 2
        assert db.session.get(ProblemRating, problem_id).attempts == 2
        assert db.session.get(UserRating, teacher.id).attempts == 0


def test_answers_cannot_be_brute_forced(app, client, teacher, student, make_user, make_problem):
    """After the allowed number of answers to one problem, is the next one a 429 that says
    when to try again — for that user and problem only?"""
    app.config.update(PROBLEM_ATTEMPTS_PER_WINDOW=5, PROBLEM_ATTEMPT_WINDOW_SECONDS=600)
    problem_id = make_problem(teacher)
    other_problem = make_problem(teacher)

    def answer(user, pid, text):
        body = {"problem_id": pid, "answer": text}
        return client.post("/api/attempts", json=body, headers=headers_for(user))

    assert [answer(student, problem_id, str(n)).status_code for n in range(5)] == [201] * 5
    refused = answer(student, problem_id, "3.5")  # even the right answer waits now
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert 590 <= int(refused.headers["Retry-After"]) <= 600
    assert "5" in refused.get_json()["detail"]
    assert answer(student, other_problem, "3.5").status_code == 201
    assert answer(make_user(), problem_id, "3.5").status_code == 201
    with app.app_context():
        assert db.session.query(Attempt).filter_by(user_id=student.id).count() == 6
