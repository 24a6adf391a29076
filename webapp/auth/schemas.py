"""Wire schemas for sign-in."""

from __future__ import annotations

from pydantic import BaseModel, Field

from webapp.api import Input
from webapp.users.schemas import UserOut


class TelegramSignIn(Input):
    init_data: str = Field(..., min_length=1, max_length=8192, description="Raw initData")


class PasswordSignIn(Input):
    username: str = Field(..., min_length=1, max_length=64)
    password: str = Field(..., min_length=1, max_length=256)


class Registration(Input):
    username: str = Field(..., min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    password: str = Field(..., min_length=8, max_length=256)
    first_name: str = Field("", max_length=128)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    user: UserOut
