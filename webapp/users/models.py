"""The user: a Telegram account, a password account, or both; its role and ban."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.database import TimestampMixin, UTCDateTime, value_enum
from webapp.extensions import Model


class Role(enum.StrEnum):
    STUDENT = "student"
    TEACHER = "teacher"
    MODERATOR = "moderator"
    ADMIN = "admin"


class User(TimestampMixin, UserMixin, Model):
    __tablename__ = "users"
    # Logins are unique regardless of case.
    __table_args__ = (
        Index("ix_users_login_lower", text("lower(login)"), unique=True),
        Index("ix_users_role", "role", "id"),  # staff list people by role
        # A feed URL names one user (a unique index: SQLite adds it without a table copy).
        Index("ix_users_calendar_secret", "calendar_secret", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    # Password accounts (teachers and admins who work from a browser) sign in with `login`.
    login: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    first_name: Mapped[str] = mapped_column(String(128), default="", nullable=False)
    last_name: Mapped[str | None] = mapped_column(String(128))
    username: Mapped[str | None] = mapped_column(String(64), index=True)
    language_code: Mapped[str | None] = mapped_column(String(16))
    # An explicit choice on the profile page beats Telegram's `language_code`.
    locale: Mapped[str | None] = mapped_column(String(8))
    # The IANA time zone the Mini App reported at sign-in ("Europe/Moscow"); None is UTC.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    # True when the user picked the zone on /me: the devices' reports no longer change it.
    time_zone_chosen: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), nullable=False
    )
    photo_url: Mapped[str | None] = mapped_column(String(512))
    is_premium: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    role: Mapped[Role] = mapped_column(
        value_enum(Role, "role"),
        default=Role.STUDENT,
        nullable=False,
    )
    is_banned: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    ban_reason: Mapped[str | None] = mapped_column(String(500))
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Deleted accounts keep their row (money and history refer to it) but lose the person.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every cookie session's id (`get_id`): raising it ends all of them at once
    # (a copied cookie included), checked on every request by the user loader.
    session_version: Mapped[int] = mapped_column(
        Integer, default=0, server_default=text("0"), nullable=False
    )
    # The community profile every module shows (`webapp/users/profile.py`): a city of the
    # directory (its GeoNames id), sports (catalogue keys), a level and a short "about".
    city_id: Mapped[int | None] = mapped_column(Integer)
    sports: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default=text("'[]'"), nullable=False
    )
    level: Mapped[str] = mapped_column(
        String(16), default="any", server_default=text("'any'"), nullable=False
    )
    about: Mapped[str] = mapped_column(
        String(500), default="", server_default=text("''"), nullable=False
    )
    # The secret of the personal calendar feed (`/calendar/<secret>.ics`); None until asked.
    calendar_secret: Mapped[str | None] = mapped_column(String(64))

    def get_id(self) -> str:
        """Flask-Login's session id: the user and the session version it was issued for."""
        return f"{self.id}:{self.session_version or 0}"

    @property
    def display_name(self) -> str:
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        return name or self.username or self.login or f"#{self.id}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        if not self.password_hash:
            return False
        return check_password_hash(self.password_hash, password)

    def has_role(self, *roles: Role | str) -> bool:
        return self.role in {Role(r) for r in roles}

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class ActiveDay(Model):
    """One row per user per UTC day they used the app: daily active users, counted by day
    (the primary key leads with the day). Written insert-ignoring when `last_seen_at` is
    refreshed, so it costs a write at most every few minutes per user."""

    __tablename__ = "user_active_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
