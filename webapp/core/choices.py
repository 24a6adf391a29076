"""The choices an admin keeps in the dashboard: market categories (`category`) and ticket
types (`ticket_type`), each a key with an English and a Russian name, a position and an
active flag, in one table (`choices`, one row per kind and key).

Where the list comes from:

* a deployment's configured list (`MARKET_CATEGORIES`, `TICKET_TYPES`: `key=English|Русский`)
  is written into the table by the migration that creates it (`choices_0001`): one process,
  once, at deploy, inside the transaction that creates the table — no race between web
  workers, no write on a read path, nothing done by `create_app`;
* a database made by `create_all` (tests, the demo) has no migration: while a kind has no
  row, its configured list is read (nothing is written), and the first change an admin makes
  writes that list first (`seed_choices`), so adding one category never hides the others.

Orders, subscriptions and questionnaire answers keep the key. An inactive choice is refused
for anything new (`active_keys`) but keeps its names (`display_names`), so what was made
with it still shows. A choice is never deleted: what used it would lose its name.

Reads are cached for the app context (one query per kind per request or job), and for
`CHOICES_CACHE_SECONDS` (5 s in production, off in tests) in the process, so a list that
shows names runs no query for them; a change clears both in its own process at once, and
the other processes see it within that time.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from flask import current_app, g
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Integer, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from webapp.database import TimestampMixin, insert_ignoring_conflicts
from webapp.errors import NotFound, ValidationFailed, field_error
from webapp.extensions import Model, db
from webapp.users.models import User
from webapp.users.roles import require_admin

# Each kind an admin edits, and the setting its configured list comes from.
CONFIGURED = {"category": "MARKET_CATEGORIES", "ticket_type": "TICKET_TYPES"}
KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
NAME_LENGTH = 64
_CACHE = "hub_choices"
_NAMES = "hub_choice_names_by_kind"
_CHANGED = "hub_choices_changed"
_PROCESS_CACHE = "hub_choices_process_cache"


class Choice(TimestampMixin, Model):
    """One choice of a kind: its stable key, names, place in the list and whether it may
    be chosen for something new."""

    __tablename__ = "choices"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(NAME_LENGTH), nullable=False)
    name_ru: Mapped[str] = mapped_column(String(NAME_LENGTH), nullable=False)
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)

    def name(self, language: str) -> str:
        return self.name_ru if language == "ru" else self.name_en

    def __repr__(self) -> str:
        return f"<Choice {self.kind}:{self.key}>"


@dataclass(frozen=True)
class ChoiceItem:
    """A choice as read (from the table, or the configured list while the table has none)."""

    kind: str
    key: str
    name_en: str
    name_ru: str
    position: int
    active: bool = True

    def name(self, language: str) -> str:
        return self.name_ru if language == "ru" else self.name_en


def _kind(kind: str) -> str:
    if kind not in CONFIGURED:
        raise ValueError(f"not an editable choice: {kind!r}")
    return kind


def configured(kind: str) -> list[ChoiceItem]:
    """The deployment's configured list of `kind`, in its order (what the table is seeded
    with): a key's names from `key=English|Русский`, the key itself when none was given."""
    config = current_app.config
    names = config.get("CHOICE_NAMES", {}).get(_kind(kind), {})
    items = []
    for index, key in enumerate(config.get(CONFIGURED[kind]) or (), start=1):
        found = names.get(key) or {}
        name_en = (found.get("en") or key)[:NAME_LENGTH]
        name_ru = (found.get("ru") or found.get("en") or key)[:NAME_LENGTH]
        items.append(ChoiceItem(kind, str(key), name_en, name_ru, index * 10))
    return items


def _process_cache() -> dict[str, tuple[float, list[ChoiceItem]]]:
    """This app's choices as this process last read them: `{kind: (read at, items)}`."""
    return current_app.extensions.setdefault(_PROCESS_CACHE, {})


def catalogue(kind: str) -> list[ChoiceItem]:
    """Every choice of `kind`, active or not, in list order (cached for the app context and,
    for `CHOICES_CACHE_SECONDS`, in the process)."""
    cache: dict[str, list[ChoiceItem]] = g.setdefault(_CACHE, {})
    if kind not in cache:
        seconds = float(current_app.config.get("CHOICES_CACHE_SECONDS", 0))
        shared = _process_cache().get(kind) if seconds > 0 else None
        if shared is not None and time.monotonic() - shared[0] < seconds:
            cache[kind] = shared[1]
        else:
            read_at = time.monotonic()
            rows = db.session.scalars(
                select(Choice)
                .where(Choice.kind == _kind(kind))
                .order_by(Choice.position, Choice.key)
            ).all()
            cache[kind] = [
                ChoiceItem(row.kind, row.key, row.name_en, row.name_ru, row.position, row.active)
                for row in rows
            ] or configured(kind)
            # What a context that changed choices reads is not committed yet: kept for it
            # alone, never for the process.
            if seconds > 0 and not g.get(_CHANGED):
                _process_cache()[kind] = (read_at, cache[kind])
    return list(cache[kind])


def active_keys(kind: str) -> list[str]:
    """The keys that may be chosen for something new, in list order."""
    return [item.key for item in catalogue(kind) if item.active]


def display_names(kind: str) -> dict[str, dict[str, str]]:
    """`{key: {"en": …, "ru": …}}` of every choice, inactive ones too (old orders show);
    built once per app context (a page names a choice on every row)."""
    items = catalogue(kind)
    names: dict[str, dict[str, dict[str, str]]] = g.setdefault(_NAMES, {})
    built = names.get(kind)
    if built is None:
        built = names[kind] = {item.key: {"en": item.name_en, "ru": item.name_ru} for item in items}
    return built


def kept_names(kind: str) -> dict[str, dict[str, str]] | None:
    """`display_names` for a kind an admin keeps, None for any other (cities): what
    `webapp.i18n.choice_name` reads (the app factory hands it down)."""
    return display_names(kind) if kind in CONFIGURED else None


def _forget() -> None:
    """A change: this context and this process read the choices again."""
    g.pop(_CACHE, None)
    g.pop(_NAMES, None)
    g.setdefault(_CHANGED, True)
    current_app.extensions.pop(_PROCESS_CACHE, None)


def seed_choices(kind: str) -> None:
    """Write the configured list of `kind` into the table when it has none of that kind
    (a database made by `create_all`); a row already there is left as it is."""
    if db.session.scalar(select(func.count()).where(Choice.kind == _kind(kind))):
        return
    for item in configured(kind):
        db.session.execute(
            insert_ignoring_conflicts(
                Choice,
                db.session,
                kind=kind,
                key=item.key,
                name_en=item.name_en,
                name_ru=item.name_ru,
                position=item.position,
                active=True,
            )
        )
    _forget()


def get_choice(kind: str, key: str) -> Choice:
    """The stored choice (the configured list is written first when the table has none)."""
    seed_choices(kind)
    choice = db.session.get(Choice, (kind, key))
    if choice is None:
        raise NotFound(_l("No such choice."))
    return choice


def save_choice(
    actor: User,
    kind: str,
    key: str,
    name_en: str,
    name_ru: str,
    position: int | None = None,
) -> Choice:
    """Add a choice (last in the list unless a position is given) or rename and move one
    (admins). The key of an existing choice never changes: orders keep it."""
    require_admin(actor)
    key, name_en, name_ru = key.strip(), name_en.strip(), name_ru.strip()
    errors = []
    if not KEY.match(key):
        errors.append(field_error("key", _l("Latin lowercase letters, digits, - and _.")))
    if not name_en or len(name_en) > NAME_LENGTH:
        errors.append(field_error("name_en", _l("From 1 to 64 characters.")))
    if not name_ru or len(name_ru) > NAME_LENGTH:
        errors.append(field_error("name_ru", _l("From 1 to 64 characters.")))
    if position is not None and not 0 <= position <= 1_000_000:
        errors.append(field_error("position", _l("From 0 to 1000000.")))
    if errors:
        raise ValidationFailed(_l("Some fields are missing or invalid."), errors=errors)
    seed_choices(kind)
    choice = db.session.get(Choice, (kind, key))
    if choice is None:
        last = db.session.scalar(select(func.max(Choice.position)).where(Choice.kind == kind))
        choice = Choice(kind=kind, key=key, position=(last or 0) + 10, active=True)
        db.session.add(choice)
    choice.name_en, choice.name_ru = name_en, name_ru
    if position is not None:
        choice.position = position
    db.session.flush()
    _forget()
    return choice


def set_active(actor: User, kind: str, key: str, active: bool) -> Choice:
    """Let a choice be chosen again, or no longer for anything new (admins). What was
    made with it keeps it and still shows its name."""
    require_admin(actor)
    choice = get_choice(kind, key)
    choice.active = active
    db.session.flush()
    _forget()
    return choice


def move_choice(actor: User, kind: str, key: str, step: int) -> Choice:
    """Swap a choice with its neighbour above (`step` -1) or below (+1) (admins); the
    positions are renumbered 10, 20, … so equal positions never stall a move."""
    require_admin(actor)
    choice = get_choice(kind, key)
    rows = list(
        db.session.scalars(
            select(Choice).where(Choice.kind == kind).order_by(Choice.position, Choice.key)
        )
    )
    index = rows.index(choice)
    other = index + (1 if step > 0 else -1)
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    for number, row in enumerate(rows, start=1):
        row.position = number * 10
    db.session.flush()
    _forget()
    return choice


def describe(choice: Any) -> dict[str, Any]:
    """What the audit log keeps of a choice, before and after a change."""
    return {
        "kind": choice.kind,
        "key": choice.key,
        "name_en": choice.name_en,
        "name_ru": choice.name_ru,
        "position": choice.position,
        "active": choice.active,
    }
