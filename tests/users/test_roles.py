"""The shared role rules (`webapp.users.roles`): who is staff, who is admin, and that every
service uses this one home instead of its own copy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from webapp.errors import Forbidden
from webapp.users import roles
from webapp.users.models import Role, User

WEBAPP = Path(roles.__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("role", "staff", "admin"),
    [
        (Role.STUDENT, False, False),
        (Role.TEACHER, False, False),
        (Role.MODERATOR, True, False),
        (Role.ADMIN, True, True),
    ],
)
def test_staff_and_admin_by_role(app, role, staff, admin):
    """Which roles count as staff, which as admin, and do the guards raise Forbidden for the
    others?"""
    user = User(role=role, first_name="X")
    assert roles.is_staff(user) is staff
    assert roles.is_admin(user) is admin
    with app.test_request_context():
        if staff:
            roles.require_staff(user)
        else:
            with pytest.raises(Forbidden, match=r"Only moderators and admins may do this\."):
                roles.require_staff(user)
        if admin:
            roles.require_admin(user)
        else:
            with pytest.raises(Forbidden, match=r"Only admins may do this\."):
                roles.require_admin(user)


def test_guard_says_what_was_refused(app):
    """Does a service's own message replace the default one?"""
    with app.test_request_context(), pytest.raises(Forbidden, match=r"No deleting\."):
        roles.require_admin(User(role=Role.MODERATOR, first_name="X"), "No deleting.")


def test_no_service_keeps_its_own_copy():
    """Does any package define its own STAFF_ROLES, require_admin/require_staff, or compare a
    role with `Role.ADMIN` inline, instead of using `webapp.users.roles`?"""
    copy = re.compile(
        r"^STAFF_ROLES\s*=|^def (require_admin|require_staff|is_staff|is_admin)\b"
        r"|\.role\s*(==|!=)\s*Role\.ADMIN",
        re.MULTILINE,
    )
    # The market is being split into use-case modules; it adopts these rules there.
    skipped = {"roles.py"}
    found = [
        str(path.relative_to(WEBAPP))
        for path in sorted(WEBAPP.rglob("*.py"))
        if path.name not in skipped
        and path.relative_to(WEBAPP).parts[0] != "market"
        and copy.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
