"""Mini App pages of the problem book: full pages, HTMX fragments and actions."""

from __future__ import annotations

import json

import pytest

from tests.fixtures.users import headers_for
from tests.problems.conftest import PROBLEM_BODY
from webapp.outbox import queued_for

HX = {"HX-Request": "true"}


def _get(client, user, path, fragment=False):
    headers = {**headers_for(user), **(HX if fragment else {})}
    return client.get(path, headers=headers)


@pytest.mark.parametrize("fragment", [False, True])
@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("student", "/problems"),
        ("student", "/problems/history"),
        ("student", "/problems/recommended"),
        ("teacher", "/problems/mine"),
        ("teacher", "/problems/new"),
        ("moderator", "/problems/moderation"),
    ],
)
def test_pages_render_full_and_as_fragment(client, make_user, role, path, fragment):
    """Does each page answer a full document, or only its content for HTMX, with a way back?"""
    answer = _get(client, make_user(role), path, fragment)
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert ("<!doctype html>" in html) is not fragment
    assert 'class="back-link"' in html
    assert "HX-Request" in answer.headers.get("Vary", "")


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("student", "/problems/mine"),
        ("student", "/problems/new"),
        ("teacher", "/problems/moderation"),
        ("moderator", "/problems/mine"),
    ],
)
def test_pages_refuse_other_roles(client, make_user, role, path):
    """Are authoring pages for teachers/admins and the queue for moderators/admins only?"""
    assert _get(client, make_user(role), path).status_code == 403


def test_pages_need_sign_in(client):
    """Is an anonymous visitor refused (401 page)?"""
    assert client.get("/problems").status_code == 401


def test_list_by_topic_and_search(client, teacher, student, make_problem):
    """Does the list show approved problems only, with topic chips, filtered by topic/search?"""
    make_problem(teacher, title="Ladder angle", topic="Geometry")
    make_problem(teacher, title="Prime count", topic="Numbers")
    make_problem(teacher, "pending", title="Secret draft", topic="Numbers")
    html = _get(client, student, "/problems").get_data(as_text=True)
    assert "Ladder angle" in html and "Prime count" in html and "Secret draft" not in html
    assert "Geometry" in html and "Numbers" in html
    by_topic = _get(client, student, "/problems?topic=geometry").get_data(as_text=True)
    assert "Ladder angle" in by_topic and "Prime count" not in by_topic
    searched = _get(client, student, "/problems?search=prime").get_data(as_text=True)
    assert "Prime count" in searched and "Ladder angle" not in searched


def test_solve_page_hides_the_answer(client, teacher, student, make_problem):
    """Does a student see the statement and the form, but never the answer?"""
    problem_id = make_problem(teacher, answer="Mississippi")
    html = _get(client, student, f"/problems/{problem_id}").get_data(as_text=True)
    assert PROBLEM_BODY["statement"] in html and 'name="answer"' in html
    assert "Mississippi" not in html
    assert "Mississippi" in _get(client, teacher, f"/problems/{problem_id}").get_data(as_text=True)


def test_unapproved_problem_page_is_404_for_students(client, teacher, student, make_problem):
    """Is someone else's pending problem a 404 page?"""
    problem_id = make_problem(teacher, "pending")
    assert _get(client, student, f"/problems/{problem_id}").status_code == 404


@pytest.mark.parametrize(("given", "verdict"), [("3,50", "correct"), ("4", "wrong")])
def test_answer_swaps_in_instant_feedback(client, teacher, student, make_problem, given, verdict):
    """Does an HTMX answer come back as the feedback partial, revealing only a right answer?"""
    problem_id = make_problem(teacher)
    answer = client.post(
        f"/problems/{problem_id}/attempts",
        data={"answer": given},
        headers={**headers_for(student), **HX},
    )
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert f'data-feedback="{verdict}"' in html and "<h1" not in html
    assert ("3.5" in html) is (verdict == "correct")
    history = _get(client, student, "/problems/history").get_data(as_text=True)
    assert PROBLEM_BODY["title"] in history and given in history


def test_empty_answer_is_an_inline_422(client, teacher, student, make_problem):
    """Is an empty answer refused inline without recording an attempt?"""
    problem_id = make_problem(teacher)
    answer = client.post(
        f"/problems/{problem_id}/attempts",
        data={"answer": "  "},
        headers={**headers_for(student), **HX},
    )
    assert answer.status_code == 422 and 'data-feedback="invalid"' in answer.get_data(as_text=True)
    body = client.get("/api/attempts/my", headers=headers_for(student)).get_json()
    assert body["total"] == 0


def test_plain_form_answer_renders_the_page(client, teacher, student, make_problem):
    """Without HTMX, does answering render the whole solve page with the feedback?"""
    problem_id = make_problem(teacher)
    answer = client.post(
        f"/problems/{problem_id}/attempts", data={"answer": "7/2"}, headers=headers_for(student)
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<!doctype html>" in html
    assert 'data-feedback="correct"' in html


def test_recommended_page_lists_unsolved(client, teacher, student, make_problem, attempt):
    """Does the recommended page show unsolved problems with their chance, not solved ones?"""
    solved = make_problem(teacher, title="Already done")
    make_problem(teacher, title="Still open")
    attempt(student, solved, "3.5")
    html = _get(client, student, "/problems/recommended").get_data(as_text=True)
    assert "Still open" in html and "Already done" not in html and "%" in html


def test_create_form_shows_errors_inline_then_saves(client, teacher):
    """Does the form answer 422 with field errors, and on success send the author to their
    problems with a toast?"""
    headers = {**headers_for(teacher), **HX}
    bad = client.post(
        "/problems/new", data={**PROBLEM_BODY, "title": "", "difficulty": "9"}, headers=headers
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'data-field="title"' in html and 'data-field="difficulty"' in html
    assert "This field is required." in html  # the API's translated message, not pydantic's
    assert PROBLEM_BODY["statement"] in html  # the typed values are kept

    good = client.post("/problems/new", data=PROBLEM_BODY, headers=headers)
    assert good.status_code == 204
    assert json.loads(good.headers["HX-Location"])["path"] == "/problems/mine"
    assert "hub:toast" in good.headers["HX-Trigger"]
    mine = _get(client, teacher, "/problems/mine").get_data(as_text=True)
    assert PROBLEM_BODY["title"] in mine and 'data-status="pending"' in mine


def test_edit_form_is_for_the_author_only(client, teacher, make_user, make_problem):
    """Can only the author open and save the edit form (which re-queues the problem)?"""
    problem_id = make_problem(teacher)
    other = make_user("teacher")
    assert _get(client, other, f"/problems/{problem_id}/edit").status_code == 403
    form = _get(client, teacher, f"/problems/{problem_id}/edit").get_data(as_text=True)
    assert PROBLEM_BODY["title"] in form
    saved = client.post(
        f"/problems/{problem_id}/edit",
        data={**PROBLEM_BODY, "title": "Renamed"},
        headers=headers_for(teacher),
    )
    assert saved.status_code == 303
    problem = client.get(f"/api/problems/{problem_id}", headers=headers_for(teacher)).get_json()
    assert problem["title"] == "Renamed" and problem["status"] == "pending"


def test_moderation_queue_approve_and_reject(client, app, teacher, moderator, make_problem):
    """Do approve and reject swap the row, tell the author, and a missing reason stay inline?"""
    first, second = (
        make_problem(teacher, "pending", title="First"),
        make_problem(teacher, "pending"),
    )
    queue = _get(client, moderator, "/problems/moderation").get_data(as_text=True)
    assert f'id="moderation-{first}"' in queue and f'id="moderation-{second}"' in queue
    headers = {**headers_for(moderator), **HX}

    approved = client.post(f"/problems/{first}/approve", headers=headers)
    assert approved.status_code == 200
    row = approved.get_data(as_text=True)
    assert row.lstrip().startswith(
        f'<li class="section" id="moderation-{first}" data-status="approved"'
    )
    assert "hub:toast" in approved.headers["HX-Trigger"]

    missing = client.post(f"/problems/{second}/reject", data={"reason": ""}, headers=headers)
    assert missing.status_code == 422 and 'data-field="reason"' in missing.get_data(as_text=True)
    rejected = client.post(f"/problems/{second}/reject", data={"reason": "Typo"}, headers=headers)
    assert 'data-status="rejected"' in rejected.get_data(as_text=True)
    assert "Typo" in rejected.get_data(as_text=True)

    again = client.post(f"/problems/{first}/approve", headers=headers)
    assert again.status_code == 409
    with app.app_context():
        assert len(queued_for(teacher.telegram_id)) == 2


def test_pages_speak_russian(client, make_user, make_problem, teacher):
    """Does a Russian-speaking student get the pages in Russian?"""
    make_problem(teacher)
    student = make_user("student", language_code="ru")
    html = _get(client, student, "/problems").get_data(as_text=True)
    assert "Задачник" in html and "Поиск задач" in html


def test_start_param_opens_the_problem(app):
    """Does the Mini App start parameter `problem_<id>` lead to the solve page?"""
    from webapp.core.start_param import start_param_url

    with app.test_request_context():
        assert start_param_url("problem_12") == "/problems/12"


def test_shell_shows_the_problems_tile(client, student):
    """Is the shell's problems tile live now that the page exists?"""
    html = client.get("/", headers=headers_for(student)).get_data(as_text=True)
    assert 'href="/problems"' in html
