"""Who counts as staff or admin: the role rules every feature shares.

Services call `require_admin(user)` / `require_staff(user)` (they raise the domain
`Forbidden`, a 403); views that gate a whole route use `identity.role_required` instead.
A service may pass its own message to say what was refused ("Only admins may delete
problems."); the default messages live in the core catalog.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from webapp.errors import Forbidden
from webapp.users.models import Role, User

# Moderators and admins: they list users and moderate what others wrote.
STAFF_ROLES: frozenset[Role] = frozenset({Role.MODERATOR, Role.ADMIN})


def is_admin(user: User) -> bool:
    return user.role == Role.ADMIN


def is_staff(user: User) -> bool:
    return user.role in STAFF_ROLES


def require_admin(user: User, message: str | LazyString | None = None) -> None:
    """Raise `Forbidden` unless `user` is an admin."""
    if not is_admin(user):
        raise Forbidden(message if message is not None else _l("Only admins may do this."))


def require_staff(user: User, message: str | LazyString | None = None) -> None:
    """Raise `Forbidden` unless `user` is a moderator or an admin."""
    if not is_staff(user):
        raise Forbidden(
            message if message is not None else _l("Only moderators and admins may do this.")
        )
