"""Access tokens (JWT, HS256) and their revocation list.

A token carries the user id (`sub`), a unique `jti` and `exp`. Logging out revokes the
`jti` until the token would have expired. The database is the record of revocation (a
primary-key lookup per bearer request): a Redis restarted without its data, or a Redis that
is down, never lets a revoked token back in.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from webapp.auth.models import RevokedToken
from webapp.database import insert_ignoring_conflicts, utcnow
from webapp.errors import Unauthorized
from webapp.extensions import db

ALGORITHM = "HS256"


@dataclass(frozen=True)
class AccessToken:
    token: str
    jti: str
    user_id: int
    expires_at: datetime

    @property
    def expires_in(self) -> int:
        return max(0, int((self.expires_at - utcnow()).total_seconds()))


def issue(user_id: int) -> AccessToken:
    ttl = int(current_app.config["ACCESS_TOKEN_TTL"])
    now = utcnow()
    expires_at = now + timedelta(seconds=ttl)
    jti = secrets.token_urlsafe(16)
    claims = {"sub": str(user_id), "jti": jti, "iat": now, "exp": expires_at, "typ": "access"}
    token = jwt.encode(claims, current_app.config["SECRET_KEY"], algorithm=ALGORITHM)
    return AccessToken(token=token, jti=jti, user_id=user_id, expires_at=expires_at)


def decode(token: str) -> AccessToken:
    """Verify a bearer token; raise `Unauthorized` with the reason."""
    try:
        claims = jwt.decode(
            token,
            current_app.config["SECRET_KEY"],
            algorithms=[ALGORITHM],
            options={"require": ["sub", "jti", "exp"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized(
            _l("The access token has expired; sign in again."), reason="expired"
        ) from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized(_l("The access token is not valid."), reason="bad-token") from exc
    if claims.get("typ") != "access" or not str(claims["sub"]).isdigit():
        raise Unauthorized(_l("The access token is not valid."), reason="bad-token")
    parsed = AccessToken(
        token=token,
        jti=str(claims["jti"]),
        user_id=int(claims["sub"]),
        expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
    )
    if is_revoked(parsed.jti):
        raise Unauthorized(_l("The access token was revoked; sign in again."), reason="revoked")
    return parsed


def revoke(token: AccessToken) -> None:
    """Refuse this token from now until it would have expired (idempotent; the caller
    commits)."""
    db.session.execute(
        insert_ignoring_conflicts(
            RevokedToken, db.session, jti=token.jti, expires_at=token.expires_at
        )
    )
    db.session.execute(delete(RevokedToken).where(RevokedToken.expires_at < utcnow()))


def is_revoked(jti: str) -> bool:
    return db.session.get(RevokedToken, jti) is not None
