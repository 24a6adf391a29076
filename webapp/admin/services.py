"""Dashboard rules: who may use the dashboard and how they sign in.

A dashboard user is a live, not banned user with the admin role and a password. They sign
in with the same password rules as the API (`webapp.auth.services.password_sign_in`, which
also creates the `ADMIN_USERNAME` account on its first sign-in).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from webapp.auth.services import password_sign_in
from webapp.errors import Forbidden
from webapp.users import services as users
from webapp.users.models import Role, User
from webapp.users.roles import is_admin, require_admin


def may_use_dashboard(user: User) -> bool:
    return (
        is_admin(user)
        and bool(user.password_hash)
        and not user.is_banned
        and user.deleted_at is None
    )


def dashboard_sign_in(
    login: str, password: str, *, admin_login: str | None, admin_password: str | None
) -> User:
    """Check the password, then that this account may use the dashboard.

    Raises `Unauthorized` for wrong credentials and `Forbidden` for an account that signed
    in correctly but is not a dashboard user.
    """
    user = password_sign_in(login, password, admin_login=admin_login, admin_password=admin_password)
    if not may_use_dashboard(user):
        raise Forbidden(_l("This account may not use the dashboard."), reason="not-admin")
    return user


def create_staff_account(
    actor: User, login: str, password: str, *, first_name: str, role: Role
) -> User:
    """An admin creates another password account (an admin or a teacher, usually)."""
    require_admin(actor)
    return users.register(login, password, first_name=first_name, role=role)
