"""The community profile on the `/me` page: its section (`partials/_community_profile.html`,
included by the page that renders `/me`) and the form's save route.

The form is validated by the API's schema (`CommunityProfileIn`) and saved by the same
service as `PUT /api/users/me/profile`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from webapp import htmx
from webapp.auth.identity import current, login_required
from webapp.errors import ValidationFailed
from webapp.extensions import db
from webapp.forms import errors_by_field, validate_form
from webapp.users import services
from webapp.users.pages import community_context
from webapp.users.schemas import CommunityProfileIn, ProfileIn
from webapp.users.time_zones import zone_choices

bp = Blueprint("users_pages", __name__)


@bp.app_context_processor
def time_zone_context() -> dict[str, Any]:
    """`time_zone_choices(user)` for the time zone section of `/me`."""
    return {"time_zone_choices": lambda user: zone_choices(user.time_zone)}


PARTIAL = "partials/_community_profile.html"
TIME_ZONE_PARTIAL = "partials/_time_zone.html"


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


@bp.post("/me/time-zone")
@login_required
def choose_time_zone():
    """Keep a zone whatever the device reports, or follow the device again ("auto"): the
    section redrawn (422 with the field's error)."""
    data, errors = validate_form(ProfileIn, {"time_zone": request.form.get("time_zone") or None})
    me = current()
    if data is not None and data.time_zone is None:
        errors = {"time_zone": _("Choose a time zone from the list.")}
    elif data is not None and data.time_zone is not None:
        try:
            services.choose_time_zone(me, data.time_zone)
        except ValidationFailed as exc:
            db.session.rollback()
            errors = errors_by_field(exc.errors or [])
        else:
            db.session.commit()
            html = render_template(TIME_ZONE_PARTIAL, user=me)
            return htmx.answer(html, toast=_("Time zone saved."))
    html = render_template(TIME_ZONE_PARTIAL, user=me, time_zone_error=errors.get("time_zone"))
    return htmx.answer(html, 422)
