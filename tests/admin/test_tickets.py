"""The ticket forms view: filters, search, approve and reject through the service, CSV."""

from __future__ import annotations

import csv
import io

import pytest

from tests.admin.conftest import audit_entries, csrf_token, demote, filter_arg, sign_in
from tests.fixtures.users import headers_for
from webapp.database import utcnow
from webapp.events.models import Event
from webapp.extensions import db
from webapp.outbox import queued_for
from webapp.tickets.models import FormStatus, TicketForm
from webapp.users.models import Role


def stored(app, form_id: int) -> TicketForm:
    with app.app_context():
        form = db.session.get(TicketForm, form_id)
        db.session.expunge(form)
        return form


def test_list_shows_submitted_forms_not_drafts(admin_client, make_form):
    """Does the list show submitted forms and leave the users' drafts out?"""
    make_form(name="Submitted Sam")
    make_form(name="Drafty Dan", status=FormStatus.DRAFT)
    page = admin_client.get("/admin/ticket-forms/").get_data(as_text=True)
    assert "Submitted Sam" in page and "Drafty Dan" not in page


def test_status_filter(app, admin_client, make_form):
    """Does the status filter narrow the list?"""
    make_form(name="Approved Al", status=FormStatus.APPROVED)
    make_form(name="Waiting Wu", ticket_type="vip")
    arg = filter_arg(app, "ticket_forms", "Status", "equals")
    page = admin_client.get("/admin/ticket-forms/", query_string={arg: "approved"}).get_data(
        as_text=True
    )
    assert "Approved Al" in page and "Waiting Wu" not in page


def test_filter_by_event_and_search(app, admin_client, make_user, make_form):
    """Do the event filter and the search (name, email, phone) narrow the list?"""
    with app.app_context():
        event = Event(creator_id=make_user().id, title="Gala", starts_at=utcnow())
        db.session.add(event)
        db.session.commit()
        event_id = event.id
    make_form(name="At the gala", event_id=event_id)
    make_form(name="Elsewhere", email="else@example.org")
    arg = filter_arg(app, "ticket_forms", "Event", "equals")
    page = admin_client.get("/admin/ticket-forms/", query_string={arg: event_id})
    assert "At the gala" in page.get_data(as_text=True)
    assert "Elsewhere" not in page.get_data(as_text=True)
    found = admin_client.get("/admin/ticket-forms/", query_string={"search": "else@"})
    assert "Elsewhere" in found.get_data(as_text=True)
    assert "At the gala" not in found.get_data(as_text=True)


def test_approve_goes_through_the_service_and_is_audited(
    app, admin_client, dashboard_admin, student, make_form
):
    """Does approving set the status, tell the user in chat and log before/after?"""
    form_id = make_form()
    review = admin_client.get(f"/admin/ticket-forms/{form_id}/review").get_data(as_text=True)
    assert "Approve" in review and "Reject" in review
    assert admin_client.post(f"/admin/ticket-forms/{form_id}/approve").status_code == 302
    form = stored(app, form_id)
    assert form.status == FormStatus.APPROVED and form.decided_by_id == dashboard_admin.id
    with app.app_context():
        [message] = queued_for(student.telegram_id)
        assert message.dedupe_key == f"ticket-decision:{form_id}"
        assert "approved" in message.text
    [entry] = audit_entries(app, "ticket_form.approved")
    assert entry.actor_id == dashboard_admin.id
    assert (entry.target_type, entry.target_id) == ("ticket_forms", str(form_id))
    assert entry.before["status"] == "submitted" and entry.after["status"] == "approved"
    assert entry.after["decided_by_id"] == dashboard_admin.id


def test_reject_with_a_reason(app, admin_client, student, make_form):
    """Does rejecting store the reason, send it to the user and log it?"""
    form_id = make_form()
    admin_client.post(f"/admin/ticket-forms/{form_id}/reject", data={"reason": "Sold out"})
    form = stored(app, form_id)
    assert form.status == FormStatus.REJECTED and form.decision_reason == "Sold out"
    with app.app_context():
        [message] = queued_for(student.telegram_id)
        assert "declined" in message.text and "Sold out" in message.text
    [entry] = audit_entries(app, "ticket_form.rejected")
    assert entry.before["decision_reason"] is None
    assert entry.after == {**entry.after, "status": "rejected", "decision_reason": "Sold out"}
    history = admin_client.get(f"/admin/ticket-forms/{form_id}/review").get_data(as_text=True)
    assert "ticket_form.rejected" in history


def test_reject_needs_a_reason(app, admin_client, make_form):
    """Is a rejection without a reason refused, leaving the form submitted?"""
    form_id = make_form()
    answer = admin_client.post(
        f"/admin/ticket-forms/{form_id}/reject", data={"reason": ""}, follow_redirects=True
    )
    assert "This field is required." in answer.get_data(as_text=True)
    assert stored(app, form_id).status == FormStatus.SUBMITTED
    assert audit_entries(app) == []


def test_only_a_submitted_form_is_decided(app, admin_client, student, make_form):
    """Is a second decision refused by the service's rule, with a message and no entry?"""
    form_id = make_form(status=FormStatus.APPROVED)
    answer = admin_client.post(
        f"/admin/ticket-forms/{form_id}/reject",
        data={"reason": "changed my mind"},
        follow_redirects=True,
    )
    assert "Only a submitted form can be approved or rejected." in answer.get_data(as_text=True)
    assert stored(app, form_id).status == FormStatus.APPROVED
    with app.app_context():
        assert queued_for(student.telegram_id) == []
    assert audit_entries(app) == []


def test_missing_or_draft_forms_are_404(admin_client, make_form):
    """Is the review page of a missing form or of a draft a 404?"""
    draft_id = make_form(status=FormStatus.DRAFT)
    assert admin_client.get("/admin/ticket-forms/999999/review").status_code == 404
    assert admin_client.get(f"/admin/ticket-forms/{draft_id}/review").status_code == 404


def read_csv(answer) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))


def test_csv_export_uses_the_services_writer(admin_client, make_form):
    """Is the export the tickets module's CSV (the design's columns, formula-safe cells,
    filters)?"""
    from webapp.tickets.services import CSV_META_COLUMNS, CSV_TAIL_COLUMNS

    make_form(name="=HYPERLINK(1)", ticket_type="vip")
    make_form(name="Plain", ticket_type="standard")
    make_form(name="Draft", status=FormStatus.DRAFT)
    answer = admin_client.get("/admin/ticket-forms/export.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "ticket-forms.csv" in answer.headers["Content-Disposition"]
    rows = read_csv(answer)
    questions = ("name", "email", "phone", "ticket_type", "quantity")
    questions += ("dietary_requirements", "accessibility_needs")
    assert tuple(rows[0]) == (*CSV_META_COLUMNS, *questions, *CSV_TAIL_COLUMNS)
    assert sorted(r["name"] for r in rows) == ["'=HYPERLINK(1)", "Plain"]
    vip = read_csv(admin_client.get("/admin/ticket-forms/export.csv?ticket_type=vip"))
    assert [r["name"] for r in vip] == ["'=HYPERLINK(1)"]
    assert read_csv(admin_client.get("/admin/ticket-forms/export.csv?status=approved")) == []
    assert "export.csv" in admin_client.get("/admin/ticket-forms/export").get_data(as_text=True)


def test_dashboard_and_api_export_the_same_file(app, admin_client, dashboard_admin, make_form):
    """Do the dashboard and `GET /api/admin/forms.csv` answer the same download (name, type,
    bytes) for the same filters?"""
    make_form(name="=HYPERLINK(1)", ticket_type="vip")
    make_form(name="Plain", ticket_type="standard")
    dashboard = admin_client.get("/admin/ticket-forms/export.csv?ticket_type=vip")
    api = app.test_client().get(
        "/api/admin/forms.csv?ticket_type=vip", headers=headers_for(dashboard_admin)
    )
    assert api.status_code == dashboard.status_code == 200
    for header in ("Content-Type", "Content-Disposition"):
        assert api.headers[header] == dashboard.headers[header]
    assert api.get_data() == dashboard.get_data()


@pytest.mark.parametrize("query", ["status=king", "event_id=abc", "questionnaire_id=x"])
def test_bad_export_filters_are_a_message(admin_client, query):
    """Is an unknown status or a non-numeric event a message on the export page, not a 500?"""
    answer = admin_client.get(f"/admin/ticket-forms/export.csv?{query}", follow_redirects=True)
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    assert "alert" in answer.get_data(as_text=True)


def test_strangers_and_non_admins_are_refused(
    app, client, admin_client, dashboard_admin, make_form
):
    """Are decisions and the export refused to strangers and to an admin who lost the role?"""
    form_id = make_form()
    answer = client.post(f"/admin/ticket-forms/{form_id}/approve")
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/login"
    assert client.get("/admin/ticket-forms/export.csv").status_code == 302
    demote(app, dashboard_admin)
    assert admin_client.post(f"/admin/ticket-forms/{form_id}/approve").status_code == 403
    assert admin_client.get("/admin/ticket-forms/export.csv").status_code == 403
    assert stored(app, form_id).status == FormStatus.SUBMITTED
    assert audit_entries(app) == []


class TestWithCSRF:
    @pytest.fixture
    def app_overrides(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_decisions_need_the_token(self, app, client, dashboard_admin, make_form):
        """Is an approve or reject without the review page's csrf_token refused?"""
        form_id = make_form()
        assert sign_in(client).status_code == 302
        base = f"/admin/ticket-forms/{form_id}"
        assert client.post(f"{base}/approve").status_code == 400
        assert client.post(f"{base}/reject", data={"reason": "no"}).status_code == 400
        assert stored(app, form_id).status == FormStatus.SUBMITTED
        token = csrf_token(client.get(f"{base}/review").get_data(as_text=True))
        answer = client.post(f"{base}/reject", data={"reason": "no", "csrf_token": token})
        assert answer.status_code == 302
        assert stored(app, form_id).status == FormStatus.REJECTED


# --- internal notes and questionnaire designs ----------------------------------------------


def test_a_note_from_the_dashboard_is_audited(app, admin_client, dashboard_admin, make_form):
    """Does a note added on the review page show there, kept with its author, audited?"""
    form_id = make_form()
    answer = admin_client.post(f"/admin/ticket-forms/{form_id}/note", data={"text": "Paid in cash"})
    assert answer.status_code == 302
    review = admin_client.get(f"/admin/ticket-forms/{form_id}/review").get_data(as_text=True)
    assert "Paid in cash" in review and "Boss" in review
    [entry] = audit_entries(app, "ticket_form.note")
    assert entry.actor_id == dashboard_admin.id and entry.target_type == "ticket_form_notes"
    assert entry.before is None
    assert entry.after == {
        "form_id": form_id,
        "author_id": dashboard_admin.id,
        "text": "Paid in cash",
    }
    blank = admin_client.post(
        f"/admin/ticket-forms/{form_id}/note", data={"text": ""}, follow_redirects=True
    )
    assert "This field is required." in blank.get_data(as_text=True)
    assert len(audit_entries(app, "ticket_form.note")) == 1


def design_of(app, questionnaire_id=1):
    from webapp.tickets import services

    with app.app_context():
        questionnaire = services.get_questionnaire(questionnaire_id)
        version = services.current_version(questionnaire)
        return questionnaire.version, [spec["key"] for spec in version.fields], version.fields


QUESTION = {
    "key": "meals",
    "kind": "multi_choice",
    "label_en": "Meals",
    "label_ru": "Питание",
    "help_en": "Pick any",
    "help_ru": "Любые",
    "options": "lunch | Lunch | Обед\ndinner | Dinner | Ужин",
    "max_length": "2",
    "required": "on",
}


def test_design_a_questionnaire_in_the_dashboard(app, admin_client, dashboard_admin):
    """Can an admin add, edit, move and remove questions in the dashboard, each change a
    new version through the service, audited with the questions before and after?"""
    page = admin_client.get("/admin/questionnaires/")
    assert page.status_code == 200
    design = admin_client.get("/admin/questionnaires/1/design").get_data(as_text=True)
    assert "ticket_type" in design and "accessibility_needs" in design
    added = admin_client.post("/admin/questionnaires/1/question/new", data=QUESTION)
    assert added.status_code == 302
    version, keys, fields = design_of(app)
    assert version == 2 and keys[-1] == "meals"
    assert fields[-1]["options"][1] == {"value": "dinner", "label": {"en": "Dinner", "ru": "Ужин"}}
    assert fields[-1]["required"] and fields[-1]["max_length"] == 2
    assert fields[-1]["help"] == {"en": "Pick any", "ru": "Любые"}
    edited = {**QUESTION, "label_en": "Food", "required": ""}
    del edited["required"]
    admin_client.post("/admin/questionnaires/1/question/7", data=edited)
    admin_client.post("/admin/questionnaires/1/move/7/up")
    admin_client.post("/admin/questionnaires/1/remove/0")
    version, keys, fields = design_of(app)
    assert version == 5
    assert keys == [
        "email", "phone", "ticket_type", "quantity", "dietary_requirements", "meals",
        "accessibility_needs",
    ]  # fmt: skip
    assert fields[5]["label"]["en"] == "Food" and not fields[5]["required"]
    entries = audit_entries(app, "questionnaire.design")
    assert [e.after["version"] for e in entries] == [2, 3, 4, 5]
    assert entries[-1].before["fields"][0] == "name" and "name" not in entries[-1].after["fields"]
    assert all(e.actor_id == dashboard_admin.id for e in entries)


def test_a_bad_question_is_a_message_and_no_version(app, admin_client):
    """Is a question whose key is taken, or a number limit on text, refused with a
    message, leaving the design (and the audit log) as it was?"""
    taken = admin_client.post(
        "/admin/questionnaires/1/question/new",
        data={**QUESTION, "key": "email"},
        follow_redirects=True,
    )
    assert "Two questions have this key." in taken.get_data(as_text=True)
    limits = admin_client.post(
        "/admin/questionnaires/1/question/new",
        data={**QUESTION, "kind": "text", "options": "", "min_value": "3", "max_length": ""},
    )
    assert limits.status_code == 200 and "Only numbers have these limits." in limits.get_data(
        as_text=True
    )
    assert 'value="meals"' in limits.get_data(as_text=True)  # what was typed stays
    assert design_of(app)[0] == 1 and audit_entries(app) == []
    assert admin_client.get("/admin/questionnaires/1/question/99").status_code == 404


def test_an_event_questionnaire_from_the_dashboard(app, admin_client, make_user):
    """Does the dashboard make an event's questionnaire (from the default's questions)
    once, audited, and say so when the event already has one?"""
    with app.app_context():
        event = Event(creator_id=make_user().id, title="Gala", starts_at=utcnow())
        db.session.add(event)
        db.session.commit()
        event_id = event.id
    made = admin_client.post("/admin/questionnaires/new", data={"event_id": str(event_id)})
    assert made.status_code == 302 and "/design" in made.headers["Location"]
    [entry] = audit_entries(app, "questionnaire.create")
    assert entry.after["event_id"] == event_id and entry.after["fields"][0] == "name"
    again = admin_client.post(
        "/admin/questionnaires/new", data={"event_id": str(event_id)}, follow_redirects=True
    )
    assert "This event already has a questionnaire." in again.get_data(as_text=True)
    assert len(audit_entries(app, "questionnaire.create")) == 1


def test_designs_are_for_signed_in_admins(app, client, admin_client, dashboard_admin):
    """Are design changes refused to strangers and to an admin who lost the role?"""
    answer = client.post("/admin/questionnaires/1/remove/0")
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/login"
    demote(app, dashboard_admin)
    assert admin_client.post("/admin/questionnaires/1/remove/0").status_code == 403
    assert audit_entries(app) == []


def test_the_dashboard_export_follows_a_questionnaire(app, admin_client, make_user, make_form):
    """Does the dashboard's export, filtered to an event's questionnaire, have that
    design's columns and only its forms?"""
    from webapp.tickets import designs, services

    with app.app_context():
        admin = make_user(Role.ADMIN)
        event = Event(creator_id=admin.id, title="Gala", starts_at=utcnow())
        db.session.add(event)
        db.session.flush()
        design = designs.Design.model_validate(
            {
                "title": {"en": "Gala", "ru": "Гала"},
                "fields": [
                    {"key": "shoe", "kind": "number", "label": {"en": "Shoe", "ru": "Обувь"}}
                ],
            }
        )
        gala = services.create_questionnaire(admin, event.id, design)
        db.session.flush()
        form = TicketForm(
            user_id=admin.id,
            status=FormStatus.SUBMITTED,
            questionnaire_version_id=services.current_version(gala).id,
            answers={"shoe": 42},
        )
        db.session.add(form)
        db.session.commit()
        gala_id = gala.id
    make_form(name="Elsewhere")
    page = admin_client.get("/admin/ticket-forms/export").get_data(as_text=True)
    assert f'<option value="{gala_id}">' in page
    rows = read_csv(admin_client.get(f"/admin/ticket-forms/export.csv?questionnaire_id={gala_id}"))
    assert [r["shoe"] for r in rows] == ["42"] and "name" not in rows[0]
