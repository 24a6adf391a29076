"""The tickets page: questionnaire, autosave with inline errors, submit, past submissions."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.fixtures.users import headers_for
from tests.tickets.test_questionnaires import design
from webapp.database import utcnow
from webapp.events.models import Event
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


def make_event(app, creator):
    with app.app_context():
        event = Event(title="Ball", starts_at=utcnow() + timedelta(days=3), creator_id=creator.id)
        db.session.add(event)
        db.session.commit()
        return event.id


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


# --- any design, in both languages ----------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [
        ("en", ["Nickname *", "As on your badge", "Tango", "Snack", "I agree"], ["Танго", "Ник"]),
        ("ru", ["Ник *", "Как на бейдже", "Танго", "Перекус", "Я согласен"], ["Tango", "Nickname"]),
    ],
)
def test_a_designed_questionnaire_filled_on_the_page(
    app, client, make_user, admin, language, shown, hidden
):
    """Is a questionnaire with every kind of question drawn in the user's language,
    autosaved as answers of each kind, submitted from the page and exported?"""
    event_id = make_event(app, admin)
    created = client.post(
        "/api/admin/questionnaires",
        json={**design(), "event_id": event_id},
        headers=headers_for(admin),
    )
    assert created.status_code == 201
    user = make_user(language_code=language)
    headers = headers_for(user)
    page = client.get(f"/tickets?event_id={event_id}", headers=headers).get_data(as_text=True)
    for text in shown:
        assert text in page, text
    for text in hidden:
        assert text not in page, text
    assert 'type="date"' in page and 'min="2030-01-01"' in page and 'type="email"' in page
    assert 'name="meals" value="dinner"' in page and 'name="agree" value="on"' in page
    assert f'name="event_id" value="{event_id}"' in page
    typed = {
        "event_id": str(event_id),
        "nickname": "Ann",
        "about": "Dancer",
        "mail": "ann@example.com",
        "mobile": "",
        "age": "31",
        "dance": "waltz",
        "meals": ["lunch", "snack"],
        "arrival": "2030-06-01",
    }
    saved = client.post("/tickets/draft", data=typed, headers={**headers, **HX})
    assert saved.status_code == 200
    with app.app_context():
        (draft,) = db.session.scalars(select(TicketForm).where(TicketForm.user_id == user.id))
        assert draft.answers == {
            "nickname": "Ann",
            "about": "Dancer",
            "mail": "ann@example.com",
            "age": 31,
            "dance": "waltz",
            "meals": ["lunch", "snack"],
            "agree": False,
            "arrival": "2030-06-01",
        }
    refused = client.post("/tickets/submit", data=typed, headers={**headers, **HX})
    assert refused.status_code == 422 and 'id="error-agree"' in refused.get_data(as_text=True)
    done = client.post("/tickets/submit", data={**typed, "agree": "on"}, headers={**headers, **HX})
    assert done.status_code == 200
    export = client.get(
        f"/api/admin/forms.csv?event_id={event_id}", headers=headers_for(admin)
    ).get_data(as_text=True)
    (row,) = csv.DictReader(io.StringIO(export))
    assert row["nickname"] == "Ann" and row["meals"] == "lunch; snack" and row["agree"] == "yes"
    assert row["age"] == "31" and row["arrival"] == "2030-06-01"


def test_a_bad_number_on_the_page_is_reported_not_saved(app, client, student):
    """Is a quantity that is not a number reported in the field's slot, the rest saved?"""
    headers = {**headers_for(student), **HX}
    answer = client.post("/tickets/draft", data={"name": "Ann", "quantity": "two"}, headers=headers)
    assert answer.status_code == 200 and "Enter a number." in answer.get_data(as_text=True)
    (draft,) = forms(app)
    assert draft.answers == {"name": "Ann"}


def test_notes_from_the_page(app, client, student):
    """Are the applicant's notes saved with the draft and kept when submitted?"""
    headers = {**headers_for(student), **HX}
    client.post("/tickets/submit", data={**GOOD, "notes": " Late by 10 min "}, headers=headers)
    (form,) = forms(app)
    assert form.status == FormStatus.SUBMITTED and form.notes == "Late by 10 min"
    too_long = client.post("/tickets/draft", data={"notes": "x" * 2001}, headers=headers)
    assert 'id="error-notes"' in too_long.get_data(as_text=True)
