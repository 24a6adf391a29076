"""Wire schemas for users: what a user sees of themselves, what staff see of others."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from webapp.api import Id, Input, Pagination, Params, Schema
from webapp.users.models import Role


class UserOut(Schema):
    id: int
    telegram_id: int | None
    username: str | None
    first_name: str
    last_name: str | None
    display_name: str
    language_code: str | None
    locale: str | None
    photo_url: str | None
    is_premium: bool
    role: Role
    is_banned: bool
    ban_reason: str | None
    created_at: datetime


class UserPath(Params):
    user_id: Id


class UserListQuery(Pagination):
    search: str | None = Field(None, max_length=100)
    role: Role | None = None


class ProfileIn(Input):
    first_name: str | None = Field(None, min_length=1, max_length=128)
    last_name: str | None = Field(None, max_length=128)
    locale: Literal["en", "ru"] | None = None


class RoleIn(Input):
    role: Role


class BanIn(Input):
    banned: bool
    reason: str | None = Field(None, max_length=500)
