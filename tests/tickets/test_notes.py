"""Notes on a form: the applicant's own, and admins' internal notes they never see."""

from __future__ import annotations

import pytest

from tests.fixtures.users import headers_for
from webapp.outbox import queued_for
from webapp.tickets.models import FormStatus

SECRET = "SECRET-NOTE-42: check the payment twice"
HX = {"HX-Request": "true"}


def add_note(client, admin, form_id, text=SECRET):
    return client.post(
        f"/api/admin/forms/{form_id}/notes", json={"text": text}, headers=headers_for(admin)
    )


def test_admins_write_and_read_notes(client, admin, make_user, make_form):
    """Can an admin add notes to a form (kept with author and time, oldest first)?"""
    form_id = make_form()
    first = add_note(client, admin, form_id, "  first  ")
    assert first.status_code == 201
    assert first.get_json()["author_id"] == admin.id and first.get_json()["text"] == "first"
    other_admin = make_user("admin")
    assert add_note(client, other_admin, form_id, "second").status_code == 201
    notes = client.get(f"/api/admin/forms/{form_id}/notes", headers=headers_for(admin))
    items = notes.get_json()["items"]
    assert [(n["text"], n["author_id"]) for n in items] == [
        ("first", admin.id),
        ("second", other_admin.id),
    ]
    assert all(n["created_at"] for n in items)


@pytest.mark.parametrize("role", ["student", "teacher", "moderator"])
def test_only_admins_write_or_read_notes(client, make_user, make_form, role):
    """Are notes refused (403) to everyone but admins, the form's owner included?"""
    form_id = make_form()
    headers = headers_for(make_user(role))
    assert client.get(f"/api/admin/forms/{form_id}/notes", headers=headers).status_code == 403
    answer = client.post(f"/api/admin/forms/{form_id}/notes", json={"text": "x"}, headers=headers)
    assert answer.status_code == 403


def test_a_note_needs_text_and_a_form_under_review(client, admin, make_form):
    """Is a blank note a 422, and a note on a draft or a missing form a 404?"""
    form_id = make_form()
    assert add_note(client, admin, form_id, "   ").status_code == 422
    assert add_note(client, admin, form_id, "").status_code == 422
    assert add_note(client, admin, make_form(status=FormStatus.DRAFT)).status_code == 404
    assert add_note(client, admin, 999_999).status_code == 404


# How the applicant reaches each of their routes (the test fails when a route is added
# without being listed here).
def applicant_calls(form_id: int, draft_id: int):
    return {
        "tickets_api.create_form": ("post", "/api/forms", {"json": {"answers": {}}}),
        "tickets_api.form_design": ("get", "/api/forms/questionnaire", {}),
        "tickets_api.list_forms": ("get", "/api/forms", {}),
        "tickets_api.latest_form": ("get", "/api/forms/latest", {}),
        "tickets_api.get_form": ("get", f"/api/forms/{form_id}", {}),
        "tickets_api.my_form_design": ("get", f"/api/forms/{form_id}/questionnaire", {}),
        "tickets_api.update_form": (
            "put",
            f"/api/forms/{draft_id}",
            {"json": {"answers": {"name": "A"}}},
        ),
        "tickets_api.submit_form": ("post", f"/api/forms/{draft_id}/submit", {}),
        "tickets_api.delete_form": ("delete", f"/api/forms/{draft_id}", {}),
        "tickets_pages.tickets_page": ("get", "/tickets", {}),
        "tickets_pages.save_draft": ("post", "/tickets/draft", {"data": {"name": "B"}}),
        "tickets_pages.submit": ("post", "/tickets/submit", {"data": {"name": "B"}}),
    }


def test_the_applicant_never_sees_admins_notes(app, client, admin, student, make_form):
    """Does no applicant route (JSON, page or fragment) nor chat message show an admin's
    note on the applicant's form, while the applicant's own notes are theirs to read?"""
    form_id = make_form(notes="my own note")
    draft_id = make_form(status=FormStatus.DRAFT)
    assert add_note(client, admin, form_id).status_code == 201
    decided = client.patch(
        f"/api/admin/forms/{form_id}/decision",
        json={"decision": "approved"},
        headers=headers_for(admin),
    )
    assert decided.status_code == 200
    calls = applicant_calls(form_id, draft_id)
    applicant_endpoints = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(("tickets_api.", "tickets_pages."))
    }
    assert applicant_endpoints == set(calls)
    bodies = []
    for headers in (headers_for(student), {**headers_for(student), **HX}):
        for method, path, kwargs in calls.values():
            answer = getattr(client, method)(path, headers=headers, **kwargs)
            assert answer.status_code < 500, path
            bodies.append(answer.get_data(as_text=True))
    assert "my own note" in client.get(f"/api/forms/{form_id}", headers=headers_for(student)).text
    assert not [body for body in bodies if "SECRET-NOTE-42" in body]
    with app.app_context():
        assert not [m for m in queued_for(student.telegram_id) if "SECRET" in m.text]
