"""The community profile on the `/me` page: its section (`partials/_community_profile.html`,
included by the page that renders `/me`) and the form's save route.

The form is validated by the API's schema (`CommunityProfileIn`) and saved by the same
service as `PUT /api/users/me/profile`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from webapp import htmx
from webapp.auth.identity import current, login_required
from webapp.errors import ValidationFailed
from webapp.extensions import db
from webapp.forms import errors_by_field, validate_form
from webapp.users import services
from webapp.users.models import User
from webapp.users.profile import LEVELS, level_name, sport_choices
from webapp.users.schemas import CommunityProfileIn

bp = Blueprint("users_pages", __name__)
PARTIAL = "partials/_community_profile.html"


def community_context(
    user: User, values: Mapping[str, Any] | None = None, errors: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """What the profile section needs: the profile, the form's values and errors, and the
    choices (sports of the catalogue, levels) in the current language."""
    profile = services.profile_of(user)
    if values is None:
        city = profile.city.name(str(get_locale())) if profile.city else ""
        values = {
            "city": city,
            "sports": list(profile.sports),
            "level": profile.level,
            "about": profile.about,
        }
    return {
        "community": profile,
        "community_values": values,
        "community_errors": errors or {},
        "sport_choices": list(sport_choices().items()),
        "level_choices": [(key, level_name(key)) for key in LEVELS],
    }


@bp.post("/me/profile")
@login_required
def save_profile():
    """Save the profile form: the section redrawn (422 with the fields' errors)."""
    form = request.form
    values = {
        "city": form.get("city", "").strip(),
        "sports": form.getlist("sports"),
        "level": form.get("level", ""),
        "about": form.get("about", ""),
    }
    data, errors = validate_form(CommunityProfileIn, {**values, "city": values["city"] or None})
    if data is not None:
        try:
            services.update_community_profile(current(), data.model_dump())
        except ValidationFailed as exc:
            db.session.rollback()
            errors = errors_by_field(exc.errors or [])
        else:
            db.session.commit()
            html = render_template(PARTIAL, **community_context(current()))
            return htmx.answer(html, toast=_("Profile saved."))
    html = render_template(PARTIAL, **community_context(current(), values, errors))
    return htmx.answer(html, 422)
