"""The community profile every module shares: a city of the directory, the sports someone
plays, their level and a short "about" (issue 11).

The rules live in `webapp.users.services` (`profile_of`, `update_community_profile`); this
module holds the choices and the value object other modules read:

* `sport_choices()` / `sport_keys()` — the sports a profile may name, with their names.
  The events feature keeps the catalogue the admin edits; the app factory puts its
  `sport_names(language) -> {key: name}` in `app.extensions["hub_sports"]` (the core does
  not import a feature). Without it the fixed list `SPORTS` is the catalogue.
* `LEVELS` — `any | beginner | intermediate | advanced`, the same words events use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from flask import current_app
from flask_babel import get_locale

from webapp.cities import City

SPORTS: tuple[str, ...] = (
    "running",
    "football",
    "basketball",
    "volleyball",
    "tennis",
    "yoga",
    "gym",
    "cycling",
    "swimming",
    "hiking",
    "other",
)
# Names in both languages, as configured choices are (`key=English|Русский`): plain pairs,
# not catalog entries, so another module's "Running" (a job's state) cannot clash.
SPORT_NAMES: dict[str, tuple[str, str]] = {
    "running": ("Running", "Бег"),
    "football": ("Football", "Футбол"),
    "basketball": ("Basketball", "Баскетбол"),
    "volleyball": ("Volleyball", "Волейбол"),
    "tennis": ("Tennis", "Теннис"),
    "yoga": ("Yoga", "Йога"),
    "gym": ("Gym", "Тренажёрный зал"),
    "cycling": ("Cycling", "Велоспорт"),
    "swimming": ("Swimming", "Плавание"),
    "hiking": ("Hiking", "Походы"),
    "other": ("Other", "Другое"),
}
LEVELS: tuple[str, ...] = ("any", "beginner", "intermediate", "advanced")
LEVEL_NAMES: dict[str, tuple[str, str]] = {
    "any": ("Any level", "Любой уровень"),
    "beginner": ("Beginner", "Начинающий"),
    "intermediate": ("Intermediate", "Средний"),
    "advanced": ("Advanced", "Продвинутый"),
}
MAX_ABOUT = 500
MAX_SPORTS = 20


def sport_choices(language: str | None = None) -> dict[str, str]:
    """{key: name in `language`} of the sports a profile may name: the events catalogue
    when the app wired it in, else the fixed list."""
    language = language or _language()
    source: Callable[[str], Mapping[str, str]] | None = current_app.extensions.get("hub_sports")
    if source is not None:
        return dict(source(language))
    return {key: sport_name(key, language) for key in SPORTS}


def sport_keys() -> Sequence[str]:
    """The keys of `sport_choices()`."""
    return list(sport_choices())


def _language() -> str:
    return "ru" if str(get_locale() or "en") == "ru" else "en"


def sport_name(key: str, language: str | None = None) -> str:
    """A sport's name in `language` (the current one by default); the key itself for a
    sport the fixed list does not know."""
    names = SPORT_NAMES.get(key)
    if names is None:
        return key
    return names[1] if (language or _language()) == "ru" else names[0]


def level_name(key: str, language: str | None = None) -> str:
    """A level's name in `language` (the current one by default)."""
    names = LEVEL_NAMES.get(key, (key, key))
    return names[1] if (language or _language()) == "ru" else names[0]


@dataclass(frozen=True)
class CommunityProfile:
    """What a person tells the community about themselves."""

    user_id: int
    city: City | None
    sports: tuple[str, ...]
    level: str
    about: str

    @property
    def is_empty(self) -> bool:
        return self.city is None and not self.sports and self.level == "any" and not self.about
