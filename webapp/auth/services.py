"""Sign-in rules shared by the API and the admin dashboard."""

from __future__ import annotations

from webapp.users import services as users
from webapp.users.models import User


def password_sign_in(
    login: str, password: str, *, admin_login: str | None, admin_password: str | None
) -> User:
    """Check a username and password.

    The configured `ADMIN_USERNAME`/`ADMIN_PASSWORD` account is created on its first
    sign-in (no database work at start-up); later password changes are kept.
    """
    if admin_login and admin_password and login.strip().lower() == admin_login.lower():
        users.ensure_admin_account(admin_login, admin_password)
    return users.authenticate(login, password)
