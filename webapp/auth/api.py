"""JSON sign-in routes: `/api/auth/telegram`, `/login`, `/register`, `/logout`."""

from __future__ import annotations

from flask import Response, current_app, g
from flask_babel import lazy_gettext as _l

from webapp.api import SIGNED_IN, Problem, api_blueprint, no_content, respond
from webapp.auth import tokens
from webapp.auth.identity import login_required, user_from_init_data
from webapp.auth.schemas import PasswordSignIn, Registration, TelegramSignIn, TokenOut
from webapp.auth.services import password_sign_in
from webapp.errors import Forbidden, Unauthorized
from webapp.extensions import db, limiter
from webapp.users import services as users
from webapp.users.models import User
from webapp.users.schemas import UserOut

bp = api_blueprint(
    "auth_api", __name__, "/api/auth", tag="auth", description="Sign-in", security=[]
)
SIGN_IN_LIMIT = "20 per minute"


def _token_answer(user: User, status: int = 200) -> tuple[Response, int]:
    if user.is_banned:
        raise Forbidden(_l("This account is banned."), reason="banned")
    token = tokens.issue(user.id)
    db.session.commit()
    answer = TokenOut(
        access_token=token.token, expires_in=token.expires_in, user=UserOut.model_validate(user)
    )
    return respond(TokenOut, answer, status)


@bp.post(
    "/telegram",
    responses={200: TokenOut, 401: Problem, 403: Problem, 429: Problem},
)
@limiter.limit(SIGN_IN_LIMIT)
def sign_in_with_telegram(body: TelegramSignIn) -> tuple[Response, int]:
    """Trade a Mini App `initData` for an access token."""
    return _token_answer(user_from_init_data(body.init_data))


@bp.post("/login", responses={200: TokenOut, 401: Problem, 403: Problem, 429: Problem})
@limiter.limit(SIGN_IN_LIMIT)
def sign_in_with_password(body: PasswordSignIn) -> tuple[Response, int]:
    """Trade a username and password for an access token."""
    config = current_app.config
    user = password_sign_in(
        body.username,
        body.password,
        admin_login=config.get("ADMIN_USERNAME"),
        admin_password=config.get("ADMIN_PASSWORD"),
    )
    return _token_answer(user)


@bp.post("/register", responses={201: TokenOut, 409: Problem, 429: Problem})
@limiter.limit("10 per hour")
def register(body: Registration) -> tuple[Response, int]:
    """Create a password account (a student until an admin says otherwise)."""
    user = users.register(body.username, body.password, first_name=body.first_name)
    return _token_answer(user, 201)


@bp.post("/logout", responses={204: None}, security=SIGNED_IN)
@login_required(allow_banned=True)
def logout() -> tuple[str, int]:
    """Revoke the bearer token of this request until it would have expired."""
    token = g.get("access_token")
    if token is None:
        raise Unauthorized(_l("Log out with the bearer token you want revoked."), reason="no-token")
    tokens.revoke(token)
    db.session.commit()
    return no_content()
