"""The problems views: the moderation queue, approve, reject and delete through the
problems service (audited); attempts, read-only with filters."""

from __future__ import annotations

import pytest

from tests.admin.conftest import audit_entries, csrf_token, demote, filter_arg, sign_in
from webapp.extensions import db
from webapp.outbox import queued_for
from webapp.problems import services
from webapp.problems.models import Problem, ProblemStatus
from webapp.users.models import Role, User


@pytest.fixture
def author(make_user) -> User:
    return make_user(Role.TEACHER, first_name="Author")


@pytest.fixture
def make_problem(app, author):
    """`make_problem(title, status="pending", by=author)` through the service; its id."""

    def make(title: str, status: str = "pending", by: User | None = None) -> int:
        with app.app_context():
            actor = db.session.get(User, (by or author).id)
            data = services.ProblemData(
                title=title, statement="What is 2+2?", answer="4", topic="arithmetic", difficulty=1
            )
            problem = services.create_problem(actor, data)
            problem.status = ProblemStatus(status)
            db.session.commit()
            return problem.id

    return make


def stored(app, problem_id: int) -> Problem:
    with app.app_context():
        problem = db.session.get(Problem, problem_id)
        db.session.expunge(problem)
        return problem


def test_queue_lists_pending_first(app, admin_client, make_problem):
    """Does the list start with the pending problems, oldest first, then the rest?"""
    make_problem("Approved newest", "approved")
    make_problem("Pending older")
    make_problem("Pending newer")
    page = admin_client.get("/admin/problems/").get_data(as_text=True)
    assert page.index("Pending older") < page.index("Pending newer") < page.index("Approved newest")


def test_status_filter(app, admin_client, make_problem):
    """Does the status filter show only the problems in that status?"""
    make_problem("Waiting one")
    make_problem("Done one", "approved")
    arg = filter_arg(app, "problems", "Status", "equals")
    page = admin_client.get("/admin/problems/", query_string={arg: "pending"}).get_data(
        as_text=True
    )
    assert "Waiting one" in page and "Done one" not in page


def test_approve_goes_through_the_service_and_is_audited(
    app, admin_client, dashboard_admin, author, make_problem
):
    """Does approving publish the problem, tell the author and log before/after?"""
    problem_id = make_problem("Two and two")
    page = admin_client.get(f"/admin/problems/{problem_id}/moderate").get_data(as_text=True)
    assert "What is 2+2?" in page and "Approve" in page
    assert admin_client.post(f"/admin/problems/{problem_id}/approve").status_code == 302
    problem = stored(app, problem_id)
    assert problem.status == ProblemStatus.APPROVED
    assert problem.moderated_by_id == dashboard_admin.id
    with app.app_context():
        [message] = queued_for(author.telegram_id)
        assert "approved" in message.text and "Two and two" in message.text
    [entry] = audit_entries(app, "problem.approve")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        dashboard_admin.id,
        "problems",
        str(problem_id),
    )
    assert entry.before["status"] == "pending" and entry.after["status"] == "approved"
    assert entry.after["version"] == entry.before["version"] + 1


def test_reject_with_a_reason(app, admin_client, author, make_problem):
    """Does rejecting store the reason, send it to the author and log it?"""
    problem_id = make_problem("Vague one")
    admin_client.post(f"/admin/problems/{problem_id}/reject", data={"reason": "Too vague"})
    problem = stored(app, problem_id)
    assert problem.status == ProblemStatus.REJECTED and problem.reject_reason == "Too vague"
    with app.app_context():
        [message] = queued_for(author.telegram_id)
        assert "Too vague" in message.text
    [entry] = audit_entries(app, "problem.reject")
    assert entry.before["reject_reason"] is None and entry.after["reject_reason"] == "Too vague"


def test_reject_needs_a_reason(app, admin_client, make_problem):
    """Is a rejection without a reason refused, the problem still pending?"""
    problem_id = make_problem("Still waiting")
    answer = admin_client.post(
        f"/admin/problems/{problem_id}/reject", data={"reason": " "}, follow_redirects=True
    )
    assert "This field is required." in answer.get_data(as_text=True)
    assert stored(app, problem_id).status == ProblemStatus.PENDING
    assert audit_entries(app) == []


@pytest.mark.parametrize(
    ("status", "own", "message"),
    [
        ("approved", False, "Only a pending problem can be approved or rejected."),
        ("pending", True, "Nobody moderates their own problem."),
    ],
)
def test_the_service_rules_hold(
    app, admin_client, dashboard_admin, make_problem, status, own, message
):
    """Are a second decision and moderating one's own problem refused, with a message?"""
    problem_id = make_problem("Ruled", status, by=dashboard_admin if own else None)
    answer = admin_client.post(f"/admin/problems/{problem_id}/approve", follow_redirects=True)
    assert message in answer.get_data(as_text=True)
    assert stored(app, problem_id).status == ProblemStatus(status)
    assert audit_entries(app) == []


def test_delete_goes_through_the_service_and_is_audited(app, admin_client, make_problem):
    """Does deleting take a reason (none: nothing happens), hide the problem (kept for the
    attempts' history) and log who, when and why?"""
    problem_id = make_problem("Unwanted", "approved")
    admin_client.post(f"/admin/problems/{problem_id}/delete", data={"reason": " "})
    assert stored(app, problem_id).deleted_at is None and audit_entries(app) == []
    admin_client.post(f"/admin/problems/{problem_id}/delete", data={"reason": "duplicate"})
    assert stored(app, problem_id).deleted_at is not None
    assert "Unwanted" not in admin_client.get("/admin/problems/").get_data(as_text=True)
    assert admin_client.get(f"/admin/problems/{problem_id}/moderate").status_code == 404
    [entry] = audit_entries(app, "problem.delete")
    assert entry.before["deleted_at"] is None and entry.after["deleted_at"] is not None
    assert entry.after["delete_reason"] == "duplicate"
    again = admin_client.post(
        f"/admin/problems/{problem_id}/delete", data={"reason": "again"}, follow_redirects=True
    )
    assert "No such problem." in again.get_data(as_text=True)
    assert len(audit_entries(app)) == 1


def test_strangers_and_non_admins_are_refused(
    app, client, admin_client, dashboard_admin, make_problem
):
    """Are moderation and delete refused to strangers and to an admin who lost the role?"""
    problem_id = make_problem("Protected")
    for action in ("approve", "delete"):
        answer = client.post(f"/admin/problems/{problem_id}/{action}")
        assert answer.status_code == 302 and answer.headers["Location"] == "/admin/login"
    demote(app, dashboard_admin)
    for action in ("approve", "delete"):
        assert admin_client.post(f"/admin/problems/{problem_id}/{action}").status_code == 403
    problem = stored(app, problem_id)
    assert problem.status == ProblemStatus.PENDING and problem.deleted_at is None
    assert audit_entries(app) == []


@pytest.fixture
def attempts(app, make_user, make_problem):
    """Two solvers, two problems: (solver_a, solver_b, problem_1, problem_2)."""
    first, second = make_problem("First sum", "approved"), make_problem("Second sum", "approved")
    solver_a = make_user(first_name="Solver A")
    solver_b = make_user(first_name="Solver B")
    with app.app_context():
        for solver, problem_id, answer in [
            (solver_a, first, "4"),
            (solver_a, second, "5"),
            (solver_b, second, "4"),
        ]:
            services.submit_attempt(db.session.get(User, solver.id), problem_id, answer)
        db.session.commit()
    return solver_a, solver_b, first, second


def rows(page: str) -> int:
    return page.count('class="col-is_correct"')


def test_attempts_list(admin_client, attempts):
    """Does the attempts list show who answered what on which problem?"""
    page = admin_client.get("/admin/attempts/").get_data(as_text=True)
    assert rows(page) == 3
    assert "Solver A" in page and "Second sum" in page


@pytest.mark.parametrize(
    ("column", "which", "expected"),
    [("User", "solver_a", 2), ("Problem", "second", 2), ("Correct", "yes", 2)],
)
def test_attempts_filters(app, admin_client, attempts, column, which, expected):
    """Do the user, problem and correct filters narrow the attempts?"""
    solver_a, _solver_b, _first, second = attempts
    value = {"solver_a": solver_a.id, "second": second, "yes": "1"}[which]
    arg = filter_arg(app, "attempts", column, "equals")
    page = admin_client.get("/admin/attempts/", query_string={arg: value}).get_data(as_text=True)
    assert rows(page) == expected


class TestWithCSRF:
    @pytest.fixture
    def app_overrides(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_moderation_needs_the_token(self, app, client, dashboard_admin, make_problem):
        """Is an approve without the page's csrf_token refused, and with it done?"""
        problem_id = make_problem("Tokened")
        assert sign_in(client).status_code == 302
        url = f"/admin/problems/{problem_id}/approve"
        assert client.post(url).status_code == 400
        assert stored(app, problem_id).status == ProblemStatus.PENDING
        page = client.get(f"/admin/problems/{problem_id}/moderate").get_data(as_text=True)
        assert client.post(url, data={"csrf_token": csrf_token(page)}).status_code == 302
        assert stored(app, problem_id).status == ProblemStatus.APPROVED


def test_bank_upload_imports_good_rows_and_lists_bad_ones(app, admin_client, dashboard_admin):
    """Does the dashboard's upload import a bank's good rows (approved when asked), list the
    bad rows with their reasons, and log one audit entry with the counts?"""
    import io
    import json

    good = {"title": "Uploaded", "statement": "2+2?", "answer": "4", "topic": "sums"}
    bank = json.dumps([good, {**good, "answer_kind": "number", "answer": "four"}]).encode()
    answer = admin_client.post(
        "/admin/problem_import/",
        data={"bank": (io.BytesIO(bank), "bank.json"), "approve": "1"},
        content_type="multipart/form-data",
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and 'data-testid="rejected"' in html
    assert "<code>answer</code>" in html
    with app.app_context():
        [problem] = db.session.query(Problem).filter_by(title="Uploaded").all()
        assert problem.status == ProblemStatus.APPROVED and problem.author_id == dashboard_admin.id
    [entry] = audit_entries(app, "problem.import")
    assert entry.after["imported"] == 1 and entry.after["rejected"] == [2]
