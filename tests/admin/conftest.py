"""Dashboard fixtures: an admin with a password, and a client signed in as them."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from webapp.admin.models import AuditEntry
from webapp.extensions import db
from webapp.users.models import Role, User

ADMIN_LOGIN = "boss"
ADMIN_PASSWORD = "correct horse battery staple"
_CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


def csrf_token(html: str) -> str:
    """The CSRF token a page carries in its forms."""
    found = _CSRF.search(html)
    assert found, "the page has no csrf_token field"
    return found.group(1) or found.group(2)


def sign_in(
    client: FlaskClient, login: str = ADMIN_LOGIN, password: str = ADMIN_PASSWORD, **extra: str
):
    """Submit the real sign-in form, with the CSRF token the form carries."""
    page = client.get("/admin/login")
    data = {"username": login, "password": password, **extra}
    data["csrf_token"] = csrf_token(page.get_data(as_text=True))
    return client.post("/admin/login", data=data)


def cheap_hash(password: str) -> str:
    """A password hash that is quick to check: the tests sign in a lot."""
    return generate_password_hash(password, method="pbkdf2:sha256:1000")


@pytest.fixture
def dashboard_admin(make_user: Callable[..., User]) -> User:
    return make_user(
        Role.ADMIN, login=ADMIN_LOGIN, password_hash=cheap_hash(ADMIN_PASSWORD), first_name="Boss"
    )


@pytest.fixture
def admin_client(app: Flask, dashboard_admin: User) -> FlaskClient:
    """A client signed in to the dashboard as `dashboard_admin`."""
    client = app.test_client()
    assert sign_in(client).status_code == 302
    return client


def filter_arg(app: Flask, endpoint: str, column: str, operation: str) -> str:
    """The query argument of a Flask-Admin list filter, e.g. `flt0_3` for role "equals"."""
    view = next(v for v in app.extensions["admin"][0]._views if v.endpoint == endpoint)
    with app.test_request_context():
        for key, (_index, flt) in view._filter_args.items():
            if str(flt.name) == column and str(flt.operation()) == operation:
                return f"flt0_{key}"
    raise AssertionError(f"no filter {column!r} {operation!r} on {endpoint}")


def audit_entries(app: Flask, action: str | None = None) -> list[AuditEntry]:
    """The audit log (detached), oldest first; only `action` when given."""
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        found = list(db.session.scalars(query).unique().all())
        for entry in found:
            db.session.expunge(entry)
        return found


def demote(app: Flask, user: User) -> None:
    """Take a signed-in dashboard admin's role away (their session stays)."""
    with app.app_context():
        db.session.get(User, user.id).role = Role.MODERATOR
        db.session.commit()
