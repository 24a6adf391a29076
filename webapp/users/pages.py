"""What the users' sections of a page need, for whichever page draws them (the `/me` page
is the market's; its profile section is saved by `webapp/accounts/views.py`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import get_locale

from webapp.users import services
from webapp.users.models import User
from webapp.users.profile import LEVELS, level_name, sport_choices


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
