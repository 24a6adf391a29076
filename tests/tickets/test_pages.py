"""The tickets page: questionnaire, autosave with inline errors, submit, past submissions."""

from __future__ import annotations

from sqlalchemy import select

from tests.fixtures.users import headers_for
from webapp.extensions import db
from webapp.outbox import queued_for
from webapp.tickets.models import FormStatus, TicketForm

HX = {"HX-Request": "true"}
GOOD = {
    "name": "Anna",
    "email": "anna@example.com",
    "phone": "+7 912 345 67 89",
    "ticket_type": "standard",
    "quantity": "2",
    "dietary_requirements": "",
    "accessibility_needs": "ramp",
}


def forms(app):
    with app.app_context():
        return list(db.session.scalars(select(TicketForm)))


def test_full_page_and_fragment(client, student):
    """Is /tickets a full page with the autosaving questionnaire, and a fragment for HTMX?"""
    headers = headers_for(student)
    page = client.get("/tickets", headers=headers).get_data(as_text=True)
    assert "<html" in page and 'hx-trigger="input changed delay:800ms' in page
    assert 'value="vip"' in page
    fragment = client.get("/tickets", headers={**headers, **HX}).get_data(as_text=True)
    assert "<html" not in fragment and "ticket-form" in fragment


def test_autosave_creates_then_updates_one_draft(client, app, student):
    """Does autosave make one draft and keep updating it, reporting bad fields inline?"""
    headers = {**headers_for(student), **HX}
    first = client.post("/tickets/draft", data={"name": "An"}, headers=headers)
    assert first.status_code == 200 and 'hx-swap-oob="true"' in first.get_data(as_text=True)
    second = client.post("/tickets/draft", data={"name": "Anna", "email": "anna@"}, headers=headers)
    html = second.get_data(as_text=True)
    assert second.status_code == 200
    assert 'id="error-email"' in html and "valid email" in html
    (draft,) = forms(app)
    assert draft.answers == {"name": "Anna", "email": "anna@"}
    assert draft.status == FormStatus.DRAFT
    typed = {"name": "Anna", "quantity": "20", "email": "bad"}
    both = client.post("/tickets/draft", data=typed, headers=headers)
    html = both.get_data(as_text=True)
    assert "at most 10" in html and "valid email" in html
    typed = {"name": "x" * 201, "email": "anna@", "quantity": "3"}
    mixed = client.post("/tickets/draft", data=typed, headers=headers)
    assert mixed.status_code == 200 and "at most 200 characters" in mixed.get_data(as_text=True)
    (draft,) = forms(app)
    assert draft.answers["name"] == "Anna" and draft.answers["quantity"] == 3  # bad one kept
    page = client.get("/tickets", headers=headers_for(student)).get_data(as_text=True)
    assert 'value="Anna"' in page


def test_submit_from_page(client, app, student):
    """Does submit from the page save, submit, confirm in chat and list the submission?"""
    headers = {**headers_for(student), **HX}
    bad = client.post("/tickets/submit", data={**GOOD, "phone": "12"}, headers=headers)
    assert bad.status_code == 422 and 'id="error-phone"' in bad.get_data(as_text=True)
    assert forms(app)[0].status == FormStatus.DRAFT
    done = client.post("/tickets/submit", data=GOOD, headers=headers)
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and "<html" not in html and "Under review" in html
    (form,) = forms(app)
    assert form.status == FormStatus.SUBMITTED and form.answers["phone"] == "+79123456789"
    with app.app_context():
        assert len(queued_for(student.telegram_id)) == 1
    fresh = client.post("/tickets/draft", data={"name": "Next"}, headers=headers)
    assert fresh.status_code == 200 and len(forms(app)) == 2
