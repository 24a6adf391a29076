"""The sports catalogue the admin keeps: a key and a Russian and an English name each.

Events store the key; readers see the name in their language. The catalogue is seeded by
the migration (running, football, basketball, volleyball, tennis, yoga, gym, cycling,
swimming, hiking, other); a sport in use cannot be deleted (409).
"""

from __future__ import annotations

import re

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from webapp.errors import Conflict, NotFound, ValidationFailed, field_error
from webapp.events.models import Event, Sport
from webapp.extensions import db
from webapp.users.models import User
from webapp.users.roles import require_admin

KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "en"


def list_sports() -> list[Sport]:
    return list(db.session.scalars(select(Sport).order_by(Sport.position, Sport.key)))


def sport_names(language_code: str | None = None) -> dict[str, str]:
    """{key: name in the language}, in catalogue order."""
    lang = language_code or language()
    return {sport.key: sport.name(lang) for sport in list_sports()}


def sport_name(key: str | None, language_code: str | None = None) -> str | None:
    if key is None:
        return None
    sport = db.session.get(Sport, key)
    return sport.name(language_code or language()) if sport else key


def check_sport(key: str | None) -> str | None:
    """The key, when the catalogue has it; 422 on `sport` otherwise."""
    if key is None:
        return None
    if db.session.get(Sport, key) is None:
        message = _l("Choose one of the listed sports.")
        raise ValidationFailed(message, errors=[field_error("sport", message)])
    return key


def get_sport(key: str) -> Sport:
    sport = db.session.get(Sport, key)
    if sport is None:
        raise NotFound(_l("No such sport."))
    return sport


def save_sport(
    actor: User, key: str, name_en: str, name_ru: str, position: int | None = None
) -> Sport:
    """Add a sport or rename one (admins)."""
    require_admin(actor)
    name_en, name_ru = name_en.strip(), name_ru.strip()
    errors = []
    if not KEY.match(key):
        errors.append(field_error("key", _l("Latin lowercase letters, digits and _.")))
    if not name_en or len(name_en) > 64:
        errors.append(field_error("name_en", _l("From 1 to 64 characters.")))
    if not name_ru or len(name_ru) > 64:
        errors.append(field_error("name_ru", _l("From 1 to 64 characters.")))
    if errors:
        raise ValidationFailed(_l("Some fields are missing or invalid."), errors=errors)
    sport = db.session.get(Sport, key)
    if sport is None:
        last = db.session.scalar(select(Sport.position).order_by(Sport.position.desc()))
        sport = Sport(key=key, position=(last or 0) + 10)
        db.session.add(sport)
    sport.name_en, sport.name_ru = name_en, name_ru
    if position is not None:
        sport.position = position
    db.session.flush()
    return sport


def delete_sport(actor: User, key: str) -> None:
    """Remove a sport no event uses (admins); 409 when events use it."""
    require_admin(actor)
    sport = get_sport(key)
    if db.session.scalar(select(exists().where(Event.sport_key == key))):
        raise Conflict(_l("Events use this sport; it cannot be deleted."))
    db.session.delete(sport)
    db.session.flush()


DEFAULT_SPORTS: tuple[tuple[str, str, str], ...] = (
    ("running", "Running", "Бег"),
    ("football", "Football", "Футбол"),
    ("basketball", "Basketball", "Баскетбол"),
    ("volleyball", "Volleyball", "Волейбол"),
    ("tennis", "Tennis", "Теннис"),
    ("yoga", "Yoga", "Йога"),
    ("gym", "Gym", "Тренажёрный зал"),
    ("cycling", "Cycling", "Велоспорт"),
    ("swimming", "Swimming", "Плавание"),
    ("hiking", "Hiking", "Походы"),
    ("other", "Other", "Другое"),
)
"""The catalogue the migration `events_0001` seeds (kept equal by a test); `seed_sports`
fills an empty database made by `create_all` (tests, the demo)."""


def seed_sports() -> None:
    known = set(db.session.scalars(select(Sport.key)))
    for position, (key, name_en, name_ru) in enumerate(DEFAULT_SPORTS, start=1):
        if key not in known:
            db.session.add(Sport(key=key, name_en=name_en, name_ru=name_ru, position=position * 10))
    db.session.flush()
