"""Wire schemas for users: what a user sees of themselves, what staff see of others."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from flask_babel import get_locale
from pydantic import Field, field_validator

from webapp.api import Id, Input, Pagination, Params, Schema
from webapp.users.models import Role
from webapp.users.profile import MAX_ABOUT, MAX_SPORTS, CommunityProfile


class UserOut(Schema):
    id: int
    telegram_id: int | None
    username: str | None
    first_name: str
    last_name: str | None
    display_name: str
    language_code: str | None
    locale: str | None
    time_zone: str | None
    time_zone_chosen: bool
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
    # An IANA zone ("Asia/Vladivostok") kept whatever the devices report, or "auto".
    time_zone: str | None = Field(None, min_length=1, max_length=64)


class RoleIn(Input):
    role: Role


class BanIn(Input):
    banned: bool
    reason: str | None = Field(None, max_length=500)


class CommunityProfileIn(Input):
    """`PUT /api/users/me/profile`: the fields sent change, the others stay."""

    city: Id | Annotated[str, Field(max_length=100)] | None = Field(
        None, description="A city of the directory: its id (GET /api/cities) or a name it knows"
    )
    sports: list[str] | None = Field(
        None, max_length=MAX_SPORTS, description="Keys of the sports catalogue"
    )
    level: Literal["any", "beginner", "intermediate", "advanced"] | None = None
    about: str | None = Field(None, max_length=MAX_ABOUT)

    @field_validator("sports", "level", "about")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may not be null")
        return value


class ProfileCityOut(Schema):
    id: int
    name: str
    name_ru: str
    name_en: str


class ProfileOut(Schema):
    """The community profile (`webapp.users.services.profile_of`), as every module shows it."""

    user_id: int
    city: ProfileCityOut | None
    sports: list[str]
    level: str
    about: str


def profile_out(profile: CommunityProfile) -> ProfileOut:
    city = profile.city
    return ProfileOut(
        user_id=profile.user_id,
        city=None
        if city is None
        else ProfileCityOut(
            id=city.id,
            name=city.name(str(get_locale())),
            name_ru=city.name_ru,
            name_en=city.name_en,
        ),
        sports=list(profile.sports),
        level=profile.level,
        about=profile.about,
    )


class CalendarFeedOut(Schema):
    """The caller's personal calendar feed: subscribe a calendar app to `url`."""

    url: str
