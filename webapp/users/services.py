"""User rules: sign-up from Telegram or a password, profile edits, roles, bans, deletion.

Who may do what (SPEC §4, §5 problems):
* anyone signed in reads and edits their own profile (names, language);
* moderators and admins list and read users;
* only admins change roles, ban, unban and delete — never themselves;
* everyone edits their own community profile (city, sports, level, about: `profile_of`,
  `update_community_profile`) and resets their calendar feed's secret.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from webapp.cities import City, find_city, get_city
from webapp.database import insert_ignoring_conflicts, utcnow
from webapp.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
    field_error,
)
from webapp.extensions import db
from webapp.i18n import known_time_zone
from webapp.pagination import Page, paginate
from webapp.users.models import ActiveDay, Role, User
from webapp.users.profile import MAX_SPORTS, CommunityProfile, sport_keys
from webapp.users.roles import is_admin, require_admin, require_staff

# `last_seen_at` is refreshed at most this often, so sign-in stays read-only when idle.
LAST_SEEN_RESOLUTION = timedelta(minutes=5)


@dataclass(frozen=True)
class ProfileChanges:
    first_name: str | None = None
    last_name: str | None = None
    locale: str | None = None
    time_zone: str | None = None  # an IANA name or AUTOMATIC_ZONE


def get_user(user_id: int) -> User:
    """Load a live (not deleted) user or raise NotFound."""
    user = db.session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound(_l("No such user."))
    return user


class TelegramAccount(Protocol):
    """A Telegram user as a validated `initData` describes it (`webapp.auth.init_data`'s
    `WebAppUser`): the users' rules need its fields, not the sign-in that checked them."""

    @property
    def id(self) -> int: ...
    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str | None: ...
    @property
    def username(self) -> str | None: ...
    @property
    def language_code(self) -> str | None: ...
    @property
    def is_premium(self) -> bool: ...
    @property
    def photo_url(self) -> str | None: ...


def upsert_telegram_user(tg: TelegramAccount) -> tuple[User, bool]:
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
    seen = user.last_seen_at
    if seen is None or now - seen > LAST_SEEN_RESOLUTION or seen.date() != now.date():
        user.last_seen_at = now
        mark_active(user.id, now)
    changed = created or user in db.session.dirty
    db.session.flush()
    return user, changed


@dataclass(frozen=True)
class TelegramUserData:
    """A Telegram user an admin adds by hand (before they open the Mini App)."""

    telegram_id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    role: Role = Role.STUDENT
    language: str | None = None  # "ru" / "en": what their Telegram would report


USERNAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")
TELEGRAM_ID_MAX = 2**53  # Telegram's ids fit 52 bits


def create_telegram_user(actor: User, data: TelegramUserData, languages: Sequence[str]) -> User:
    """Add a Telegram user by hand (admins). Their Telegram id is unique: a second user
    with it is a 409 naming `telegram_id` (the database's constraint decides, not a prior
    look-up). When they open the Mini App, Telegram's own data refresh the names."""
    require_admin(actor)
    first_name, last_name = data.first_name.strip(), (data.last_name or "").strip()
    username = (data.username or "").strip().removeprefix("@")
    errors = []
    if not 0 < data.telegram_id < TELEGRAM_ID_MAX:
        errors.append(field_error("telegram_id", _l("A positive number.")))
    if not first_name or len(first_name) > 128:
        errors.append(field_error("first_name", _l("From 1 to 128 characters.")))
    if len(last_name) > 128:
        errors.append(field_error("last_name", _l("At most 128 characters.")))
    if username and not USERNAME.match(username):
        errors.append(field_error("username", _l("Latin letters, digits and _ only.")))
    if data.language is not None and data.language not in languages:
        errors.append(field_error("language", _l("Choose one of the listed languages.")))
    if errors:
        raise ValidationFailed(_l("Some fields are missing or invalid."), errors=errors)
    now = utcnow()
    created = db.session.execute(
        insert_ignoring_conflicts(
            User,
            db.session,
            telegram_id=data.telegram_id,
            first_name=first_name,
            last_name=last_name or None,
            username=username or None,
            language_code=data.language,
            role=data.role.value,
            is_banned=False,
            is_premium=False,
            session_version=1,
            created_at=now,
            updated_at=now,
        ).returning(User.__table__.c.id)
    ).scalar()
    if created is None:
        message = _l("A user with this Telegram id exists already.")
        raise Conflict(message, errors=[field_error("telegram_id", message)])
    return get_user(int(created))


def mark_active(user_id: int, now: datetime) -> None:
    """Count the user as active on `now`'s UTC day (once: a second mark is a no-op)."""
    db.session.execute(
        insert_ignoring_conflicts(ActiveDay, db.session, day=now.date(), user_id=user_id)
    )


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
    """Invalidate every cookie session of this account (logout; copies of the cookie too).
    An ORM change (an atomic `+ 1` in SQL), so the flush tells the sign-in cache."""
    user = db.session.get(User, user_id)
    if user is not None:
        user.session_version = User.session_version + 1
        db.session.flush()


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
    mark_active(user.id, user.last_seen_at)
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
    if changes.time_zone is not None:
        choose_time_zone(user, changes.time_zone)
    db.session.flush()
    return user


def set_time_zone(user: User, name: str | None) -> bool:
    """Store the IANA time zone a device reported (at sign-in); an unknown name is ignored,
    and so is every report once the user chose a zone themselves. True when it changed."""
    zone = known_time_zone(name)
    if user.time_zone_chosen or zone is None or zone == user.time_zone:
        return False
    user.time_zone = zone
    db.session.flush()
    return True


AUTOMATIC_ZONE = "auto"
"""Chosen instead of a zone: follow the device again (from its next report at sign-in)."""


def choose_time_zone(user: User, name: str) -> User:
    """The user's own choice (the /me page, `PUT /api/users/<id>`): an IANA zone that
    stays whatever their devices report, or `AUTOMATIC_ZONE`."""
    if name == AUTOMATIC_ZONE:
        user.time_zone_chosen = False
    else:
        zone = known_time_zone(name)
        if zone is None:
            message = _l("Choose a time zone from the list.")
            raise ValidationFailed(message, errors=[field_error("time_zone", message)])
        user.time_zone, user.time_zone_chosen = zone, True
    db.session.flush()
    return user


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
    user.city_id, user.sports, user.level, user.about = None, [], "any", ""
    user.calendar_secret = None
    db.session.flush()


# --- the community profile ---------------------------------------------------------------


def profile_of(user: User) -> CommunityProfile:
    """The community profile of `user`, as every module shows it (the organiser sees an
    applicant's, the bot finds events near the city)."""
    city = get_city(user.city_id) if user.city_id is not None else None
    return CommunityProfile(
        user_id=user.id,
        city=city,
        sports=tuple(user.sports or ()),
        level=user.level or "any",
        about=user.about or "",
    )


def resolve_city(value: int | str) -> City:
    """A city of the directory from its id or a name it knows ("Тула", "питер"); 422 naming
    `city` otherwise."""
    city = get_city(value) if isinstance(value, int) else find_city(value)
    if city is None:
        message = _l("No such city in the directory.")
        raise ValidationFailed(message, errors=[field_error("city", message)])
    return city


def update_community_profile(actor: User, changes: Mapping[str, Any]) -> CommunityProfile:
    """Change the fields of your own profile that `changes` names (the others stay):
    `city` (id, name or None to clear), `sports` (catalogue keys, duplicates dropped),
    `level` and `about` (trimmed). The schema (`CommunityProfileIn`) has checked the level
    and the length of `about`; the sports are checked here, against the catalogue."""
    user = get_user(actor.id)
    if "city" in changes:
        value = changes["city"]
        user.city_id = None if value is None or value == "" else resolve_city(value).id
    if "sports" in changes:
        user.sports = _valid_sports(list(changes["sports"] or []))
    if "level" in changes:
        user.level = changes["level"]
    if "about" in changes:
        user.about = (changes["about"] or "").strip()
    db.session.flush()
    return profile_of(user)


def _valid_sports(sports: list[str]) -> list[str]:
    known = set(sport_keys())
    unknown = [sport for sport in sports if sport not in known]
    if unknown:
        message = _l("Unknown sport: %(sport)s.", sport=unknown[0])
        raise ValidationFailed(message, errors=[field_error("sports", message)])
    chosen = list(dict.fromkeys(sports))
    if len(chosen) > MAX_SPORTS:
        message = _l("At most %(num)d sports.", num=MAX_SPORTS)
        raise ValidationFailed(message, errors=[field_error("sports", message)])
    return chosen


# --- the calendar feed's secret ------------------------------------------------------------


def calendar_secret(user: User) -> str:
    """The secret of `user`'s personal calendar feed, made at first use."""
    if user.calendar_secret is None:
        return reset_calendar_secret(user)
    return user.calendar_secret


def reset_calendar_secret(user: User) -> str:
    """A new feed secret: the old feed URL stops working at once."""
    user = get_user(user.id)
    user.calendar_secret = secrets.token_urlsafe(32)
    db.session.flush()
    return user.calendar_secret


def user_by_calendar_secret(secret: str) -> User:
    """The live user whose feed this secret opens; NotFound for any other secret."""
    user = None
    if secret:
        user = db.session.scalars(
            select(User).where(User.calendar_secret == secret, User.deleted_at.is_(None))
        ).first()
    if user is None:
        raise NotFound(_l("No such calendar."))
    return user
