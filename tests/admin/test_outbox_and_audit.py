"""The read-only views (bot outbox, audit log) and the audit log's writer."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.admin.conftest import filter_arg
from webapp.admin.audit import describe_target, json_value, record, snapshot
from webapp.admin.models import AuditEntry
from webapp.extensions import db
from webapp.outbox import MessageStatus, OutgoingMessage, queue_message
from webapp.users.models import Role, User


def test_outbox_lists_messages_and_filters_by_status(app, admin_client):
    """Does the outbox view list queued messages and filter them by status?"""
    with app.app_context():
        queue_message(42, "Reminder: the event starts soon")
        queue_message(43, "Already delivered")
        sent = db.session.scalars(
            select(OutgoingMessage).where(OutgoingMessage.chat_id == 43)
        ).one()
        sent.status = MessageStatus.SENT
        db.session.commit()
    page = admin_client.get("/admin/outbox/").get_data(as_text=True)
    assert "Reminder: the event starts soon" in page and "Already delivered" in page
    arg = filter_arg(app, "outbox", "Status", "equals")
    pending = admin_client.get("/admin/outbox/", query_string={arg: "pending"})
    text = pending.get_data(as_text=True)
    assert "Reminder: the event starts soon" in text and "Already delivered" not in text


@pytest.mark.parametrize("endpoint", ["outbox", "audit", "users"])
def test_model_views_cannot_write_past_the_services(admin_client, endpoint):
    """Are Flask-Admin's own create/edit/delete endpoints closed on every model view?"""
    for action in ("new", "edit", "delete"):
        answer = admin_client.post(f"/admin/{endpoint}/{action}/?id=1", data={})
        assert answer.status_code in {302, 404}, action
        assert answer.status_code == 404 or "/admin/" in answer.headers["Location"]
    assert admin_client.get(f"/admin/{endpoint}/new/").status_code in {302, 404}


def test_audit_log_is_read_only_and_filterable(app, admin_client, dashboard_admin, make_user):
    """Does the audit log list entries, filter by action, and refuse edits?"""
    target = make_user()
    admin_client.post(f"/admin/users/manage/{target.id}/role", data={"role": "teacher"})
    admin_client.post(f"/admin/users/manage/{target.id}/ban", data={"reason": "spam"})
    arg = filter_arg(app, "audit", "Action", "equals")
    text = admin_client.get("/admin/audit/", query_string={arg: "user.ban"}).get_data(as_text=True)
    assert "user.ban" in text and "user.role" not in text
    assert dashboard_admin.display_name in text
    with app.app_context():
        entry_id = db.session.scalars(select(AuditEntry.id)).first()
    details = admin_client.get(f"/admin/audit/details/?id={entry_id}")
    assert details.status_code == 200 and "teacher" in details.get_data(as_text=True)
    assert admin_client.post(f"/admin/audit/delete/?id={entry_id}").status_code in {302, 404}
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(AuditEntry)) == 2


def test_audit_log_exports_csv(admin_client, make_user):
    """Can the audit log be downloaded as CSV with before and after as JSON?"""
    target = make_user()
    admin_client.post(f"/admin/users/manage/{target.id}/role", data={"role": "teacher"})
    answer = admin_client.get("/admin/audit/export/csv/")
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    text = answer.get_data(as_text=True)
    assert "user.role" in text and '""role"": ""teacher""' in text


class Colour(enum.Enum):
    RED = "red"


def test_json_value_makes_snapshots_storable():
    """Are enums, datetimes, decimals and nested values turned into JSON-safe data?"""
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    value = {"c": Colour.RED, "at": when, "money": Decimal("2.50"), "list": (1, Colour.RED)}
    assert json_value(value) == {
        "c": "red",
        "at": "2026-01-02T03:04:05+00:00",
        "money": "2.50",
        "list": [1, "red"],
    }


def test_record_writes_in_the_callers_transaction(app, admin, make_user):
    """Is an entry part of the caller's unit of work (gone when it rolls back)?"""
    target = make_user()
    with app.app_context():
        actor = db.session.get(User, admin.id)
        user = db.session.get(User, target.id)
        assert describe_target(user) == ("users", str(target.id))
        assert describe_target(("rq_job", "abc")) == ("rq_job", "abc")
        before = snapshot(user, ("role",))
        user.role = Role.TEACHER
        entry = record(actor, "user.role", user, before, snapshot(user, ("role",)))
        assert entry.id is not None and entry.after == {"role": "teacher"}
        db.session.rollback()
        assert db.session.scalars(select(AuditEntry)).all() == []
        assert db.session.get(User, target.id).role == Role.STUDENT
