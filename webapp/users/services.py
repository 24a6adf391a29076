"""User rules: sign-up from Telegram or a password, profile edits, roles, bans, deletion.

Who may do what (SPEC §4, §5 problems):
* anyone signed in reads and edits their own profile (names, language);
* moderators and admins list and read users;
* only admins change roles, ban, unban and delete — never themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update

from webapp.auth.init_data import WebAppUser
from webapp.auth.roles import is_admin, require_admin, require_staff
from webapp.database import insert_ignoring_conflicts, utcnow
from webapp.errors import Conflict, Forbidden, NotFound, Unauthorized
from webapp.extensions import db
from webapp.pagination import Page, paginate
from webapp.users.models import Role, User

# `last_seen_at` is refreshed at most this often, so sign-in stays read-only when idle.
LAST_SEEN_RESOLUTION = timedelta(minutes=5)


@dataclass(frozen=True)
class ProfileChanges:
    first_name: str | None = None
    last_name: str | None = None
    locale: str | None = None


def get_user(user_id: int) -> User:
    """Load a live (not deleted) user or raise NotFound."""
    user = db.session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound(_l("No such user."))
    return user


def upsert_telegram_user(tg: WebAppUser) -> tuple[User, bool]:
    """Create or refresh the user described by a validated `initData` user object.

    Returns the user and whether anything was written. The common case (a known user,
    nothing changed) is one SELECT and no write.
    """
    query = select(User).where(User.telegram_id == tg.id)
    user = db.session.scalars(query).first()
    created = user is None
    if user is None:
        now = utcnow()
        db.session.execute(
            insert_ignoring_conflicts(
                User,
                db.session,
                telegram_id=tg.id,
                first_name=tg.first_name,
                role=Role.STUDENT.value,
                is_banned=False,
                is_premium=False,
                created_at=now,
                updated_at=now,
            )
        )
        user = db.session.scalars(query).one()
    for name in ("first_name", "last_name", "username", "language_code", "photo_url", "is_premium"):
        value = getattr(tg, name)
        if getattr(user, name) != value:
            setattr(user, name, value)
    now = utcnow()
    if user.last_seen_at is None or now - user.last_seen_at > LAST_SEEN_RESOLUTION:
        user.last_seen_at = now
    changed = created or user in db.session.dirty
    db.session.flush()
    return user, changed


def user_for_session(session_id: str) -> User | None:
    """The user a cookie session (`User.get_id()`, "<id>:<version>") belongs to, or None when
    the account's sessions were ended since (or the id is malformed)."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def end_sessions(user_id: int) -> None:
    """Invalidate every cookie session of this account (logout; copies of the cookie too)."""
    db.session.execute(
        update(User).where(User.id == user_id).values(session_version=User.session_version + 1)
    )


def find_by_login(login: str) -> User | None:
    return db.session.scalars(
        select(User).where(func.lower(User.login) == login.strip().lower())
    ).first()


def register(login: str, password: str, *, first_name: str = "", role: Role = Role.STUDENT) -> User:
    """Create a password account; the login is unique regardless of case."""
    if find_by_login(login) is not None:
        raise Conflict(_l("This username is taken."))
    user = User(login=login.strip(), first_name=first_name, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(login: str, password: str) -> User:
    user = find_by_login(login)
    if user is None or user.deleted_at is not None or not user.check_password(password):
        raise Unauthorized(_l("Wrong username or password."), reason="bad-credentials")
    user.last_seen_at = utcnow()
    return user


def ensure_admin_account(login: str, password: str) -> User:
    """The configured first admin: created with this password if missing, else left as is."""
    user = find_by_login(login)
    if user is None:
        user = register(login, password, first_name=login, role=Role.ADMIN)
    return user


def list_users(
    actor: User, *, search: str | None, role: Role | None, skip: int, limit: int
) -> Page[User]:
    require_staff(actor)
    query = select(User).where(User.deleted_at.is_(None))
    if role is not None:
        query = query.where(User.role == role)
    if search:
        term = search.strip()
        conditions = [
            column.icontains(term, autoescape=True)
            for column in (User.username, User.first_name, User.last_name, User.login)
        ]
        if search.strip().isdigit():
            conditions.append(User.telegram_id == int(search.strip()))
        query = query.where(or_(*conditions))
    return paginate(query, [User.id], skip=skip, limit=limit)


def view_user(actor: User, user_id: int) -> User:
    if actor.id != user_id:
        require_staff(actor)
    return get_user(user_id)


def update_profile(actor: User, user_id: int, changes: ProfileChanges) -> User:
    if actor.id != user_id and not is_admin(actor):
        raise Forbidden(_l("Only an admin may edit someone else's profile."))
    user = get_user(user_id)
    for name in ("first_name", "last_name", "locale"):
        value = getattr(changes, name)
        if value is not None:
            setattr(user, name, value)
    db.session.flush()
    return user


def set_time_zone(user: User, name: str | None) -> bool:
    """Store the IANA time zone a client reported (e.g. at sign-in); an unknown name is
    ignored (the user keeps their zone). True when it changed."""
    from webapp.i18n import known_time_zone

    zone = known_time_zone(name)
    if zone is None or zone == user.time_zone:
        return False
    user.time_zone = zone
    db.session.flush()
    return True


def set_role(actor: User, user_id: int, role: Role) -> User:
    require_admin(actor)
    if actor.id == user_id:
        raise Conflict(_l("Admins cannot change their own role."))
    user = get_user(user_id)
    user.role = role
    db.session.flush()
    return user


def set_ban(actor: User, user_id: int, banned: bool, reason: str | None) -> User:
    require_admin(actor)
    if actor.id == user_id:
        raise Conflict(_l("Admins cannot ban themselves."))
    user = get_user(user_id)
    user.is_banned = banned
    user.ban_reason = (reason or None) if banned else None
    db.session.flush()
    return user


def delete_user(actor: User, user_id: int) -> None:
    """Erase the person, keep the row: money and history stay consistent."""
    require_admin(actor)
    if actor.id == user_id:
        raise Conflict(_l("Admins cannot delete themselves."))
    user = get_user(user_id)
    user.deleted_at = utcnow()
    user.telegram_id = None
    user.login = None
    user.password_hash = None
    user.first_name = ""
    user.last_name = None
    user.username = None
    user.photo_url = None
    user.is_banned = True
    user.ban_reason = "deleted"
    db.session.flush()
