"""JSON routes for users: the staff endpoints and editing a profile.

`GET /api/users/me` (the caller's profile with its market part) is the market's route
(`webapp/market/api.py`): the core does not import a feature.
"""

from __future__ import annotations

from webapp.api import Page, Problem, api_blueprint, no_content, page_of, respond
from webapp.auth.identity import current, login_required
from webapp.extensions import db
from webapp.users import services
from webapp.users.schemas import (
    BanIn,
    CommunityProfileIn,
    ProfileIn,
    ProfileOut,
    RoleIn,
    UserListQuery,
    UserOut,
    UserPath,
    profile_out,
)

bp = api_blueprint("users_api", __name__, "/api/users", tag="users", description="Users and roles")


@bp.get("", responses={200: Page[UserOut]})
@login_required
def list_users(query: UserListQuery):
    """Users, searchable by name, username or Telegram id (moderators and admins)."""
    page = services.list_users(
        current(), search=query.search, role=query.role, skip=query.skip, limit=query.limit
    )
    return page_of(UserOut, page, query)


@bp.get("/me/profile", responses={200: ProfileOut})
@login_required
def get_community_profile():
    """Your community profile: city, sports, level and "about"."""
    return respond(ProfileOut, profile_out(services.profile_of(current())))


@bp.put("/me/profile", responses={200: ProfileOut})
@login_required
def put_community_profile(body: CommunityProfileIn):
    """Edit your community profile: the fields sent change (`city` is a directory id or a
    name it knows, `null` clears it; `sports` are catalogue keys), the others stay."""
    profile = services.update_community_profile(current(), body.model_dump(exclude_unset=True))
    db.session.commit()
    return respond(ProfileOut, profile_out(profile))


@bp.get("/<int:user_id>", responses={200: UserOut, 404: Problem})
@login_required
def get_user(path: UserPath):
    """One user: yourself, or anyone for moderators and admins."""
    return respond(UserOut, services.view_user(current(), path.user_id))


@bp.put("/<int:user_id>", responses={200: UserOut, 404: Problem})
@login_required
def update_user(path: UserPath, body: ProfileIn):
    """Edit names and language: your own, or anyone's as an admin."""
    user = services.update_profile(
        current(), path.user_id, services.ProfileChanges(**body.model_dump(exclude_unset=True))
    )
    db.session.commit()
    return respond(UserOut, user)


@bp.delete("/<int:user_id>", responses={204: None, 404: Problem, 409: Problem})
@login_required
def delete_user(path: UserPath):
    """Delete a user (admins): the person is erased, their history stays consistent."""
    services.delete_user(current(), path.user_id)
    db.session.commit()
    return no_content()


@bp.patch("/<int:user_id>/role", responses={200: UserOut, 404: Problem, 409: Problem})
@login_required
def set_role(path: UserPath, body: RoleIn):
    """Change a user's role (admins)."""
    user = services.set_role(current(), path.user_id, body.role)
    db.session.commit()
    return respond(UserOut, user)


@bp.patch("/<int:user_id>/ban", responses={200: UserOut, 404: Problem, 409: Problem})
@login_required
def set_ban(path: UserPath, body: BanIn):
    """Ban or unban a user (admins)."""
    user = services.set_ban(current(), path.user_id, body.banned, body.reason)
    db.session.commit()
    return respond(UserOut, user)
