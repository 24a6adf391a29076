"""Admin review of ticket forms: filters, CSV export, approve/reject."""

from __future__ import annotations

import csv
import io

import pytest

from tests.fixtures.users import headers_for
from webapp.outbox import queued_for
from webapp.tickets.models import FormStatus

ADMIN_PATHS = [
    ("get", "/api/admin/forms", None),
    ("get", "/api/admin/forms.csv", None),
    ("patch", "/api/admin/forms/1/decision", {"decision": "approved"}),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_PATHS)
@pytest.mark.parametrize("role", ["student", "teacher", "moderator"])
def test_admin_only(client, make_user, make_form, role, method, path, body):
    """Are the review endpoints refused (403) to everyone but admins?"""
    make_form()
    kwargs = {"json": body} if body else {}
    answer = getattr(client, method)(path, headers=headers_for(make_user(role)), **kwargs)
    assert answer.status_code == 403


def test_filters(client, admin, make_form):
    """Do status, ticket type and search filter the review list (drafts hidden by default)?"""
    submitted = make_form(name="Boris", ticket_type="vip")
    approved = make_form(status=FormStatus.APPROVED, email="x_y@example.com")
    draft = make_form(status=FormStatus.DRAFT)
    headers = headers_for(admin)

    def ids(query=""):
        body = client.get(f"/api/admin/forms?{query}", headers=headers).get_json()
        assert body["total"] == len(body["items"])
        return {f["id"] for f in body["items"]}

    assert ids() == {submitted, approved}
    assert ids("status=draft") == {draft}
    assert ids("status=approved") == {approved}
    assert ids("ticket_type=vip") == {submitted}
    assert ids("search=boris") == {submitted}
    assert ids("search=x_y") == {approved}
    assert client.get("/api/admin/forms?status=lost", headers=headers).status_code == 422


def test_search_treats_wildcards_literally(client, admin, make_form):
    """Are `%` and `_` in the review search matched literally, not as LIKE wildcards?"""
    underscore = make_form(name="snake_case")
    make_form(name="snakeXcase")
    percent = make_form(name="100% Anna")

    def ids(term):
        body = client.get(
            "/api/admin/forms", query_string={"search": term}, headers=headers_for(admin)
        )
        return {f["id"] for f in body.get_json()["items"]}

    assert ids("e_c") == {underscore}
    assert ids("%") == {percent}


def test_csv_export_is_quoted_and_formula_safe(client, admin, make_form):
    """Is the CSV properly quoted and are cells starting with = + - @ defused?"""
    make_form(name='=HYPERLINK("http://evil")', dietary_requirements='say "hi", then\nleave')
    make_form(name="@SUM(A1)", accessibility_needs="-2+3")
    answer = client.get("/api/admin/forms.csv", headers=headers_for(admin))
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert len(rows) == 2
    assert rows[0]["name"] == '\'=HYPERLINK("http://evil")'
    assert rows[0]["dietary_requirements"] == 'say "hi", then\nleave'
    assert rows[0]["phone"] == "'+79123456789"
    assert rows[1]["name"] == "'@SUM(A1)" and rows[1]["accessibility_needs"] == "'-2+3"


def test_csv_export_filters(client, admin, make_form):
    """Does the CSV export apply the same filters as the list?"""
    make_form(ticket_type="vip")
    make_form(ticket_type="standard")
    text = client.get("/api/admin/forms.csv?ticket_type=vip", headers=headers_for(admin)).get_data(
        as_text=True
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["ticket_type"] for r in rows] == ["vip"]


def test_decision(client, app, admin, student, make_form):
    """Can an admin approve a submitted form once, telling the user in chat?"""
    form_id = make_form()
    headers = headers_for(admin)
    answer = client.patch(
        f"/api/admin/forms/{form_id}/decision",
        json={"decision": "approved", "reason": "See you"},
        headers=headers,
    )
    body = answer.get_json()
    assert answer.status_code == 200
    assert body["status"] == "approved" and body["decision_reason"] == "See you"
    assert body["decided_at"]
    again = client.patch(
        f"/api/admin/forms/{form_id}/decision", json={"decision": "rejected"}, headers=headers
    )
    assert again.status_code == 409
    with app.app_context():
        (message,) = queued_for(student.telegram_id)
        assert message.dedupe_key == f"ticket-decision:{form_id}" and "See you" in message.text


def test_decision_needs_a_submitted_form(client, admin, make_form):
    """Is deciding on a draft 409, on a missing form 404, and a bad decision 422?"""
    draft = make_form(status=FormStatus.DRAFT)
    headers = headers_for(admin)
    path = f"/api/admin/forms/{draft}/decision"
    assert client.patch(path, json={"decision": "approved"}, headers=headers).status_code == 409
    missing = client.patch(
        "/api/admin/forms/9999/decision", json={"decision": "approved"}, headers=headers
    )
    assert missing.status_code == 404
    assert client.patch(path, json={"decision": "maybe"}, headers=headers).status_code == 422
