"""Every catalog is complete in Russian and its compiled .mo matches the .po; the merged
catalogs have a defined precedence for a message several of them translate."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import Babel, force_locale, gettext

from webapp.i18n import catalog_directories

WEBAPP = Path(__file__).resolve().parent.parent / "webapp"
CATALOGS = sorted(WEBAPP.glob("**/translations/ru/LC_MESSAGES/messages.po"))


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: str(p.relative_to(WEBAPP)))
def test_catalog_is_translated_and_compiled(po_path: Path):
    """Is every string translated to Russian, and is the committed .mo up to date?"""
    with po_path.open("rb") as handle:
        po = read_po(handle)
    untranslated = [m.id for m in po if m.id and not all(_forms(m.string))]
    assert untranslated == []
    with po_path.with_suffix(".mo").open("rb") as handle:
        mo = read_mo(handle)
    compiled = {_forms(m.id): _forms(m.string) for m in mo if m.id}
    assert {_forms(m.id): _forms(m.string) for m in po if m.id} == compiled


def _forms(value: object) -> tuple[str, ...]:
    """A message's id or string as a tuple: one form, or every plural form (`ngettext`)."""
    return tuple(value) if isinstance(value, list | tuple) else (str(value),)


def test_catalogs_agree_on_shared_strings():
    """Does a string shared by two catalogs get the same translation in both? (The precedence
    below decides which is used; a differing one would be dead text in the losing catalog.)"""
    translations: dict[str, set[str]] = {}
    for po_path in CATALOGS:
        with po_path.open("rb") as handle:
            for message in read_po(handle):
                if message.id:
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    translations.setdefault(key, set()).add(str(message.string))
    assert {k: v for k, v in translations.items() if len(v) > 1} == {}


def write_catalog(directory: Path, messages: dict[str, str]) -> None:
    catalog = Catalog(locale="ru")
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr)
    path = directory / "ru" / "LC_MESSAGES" / "messages.mo"
    path.parent.mkdir(parents=True)
    with path.open("wb") as handle:
        write_mo(handle, catalog)


def test_core_catalog_wins_then_features_alphabetically(tmp_path: Path):
    """When several catalogs translate one message, does the core catalog win, then the
    feature first in alphabetical order?"""
    write_catalog(tmp_path / "translations", {"Save": "core"})
    write_catalog(tmp_path / "alpha" / "translations", {"Save": "alpha", "Open": "alpha"})
    write_catalog(
        tmp_path / "beta" / "translations", {"Save": "beta", "Open": "beta", "Only": "beta"}
    )
    app = Flask(__name__)
    Babel(app, default_translation_directories=";".join(catalog_directories(tmp_path)))
    with app.test_request_context(), force_locale("ru"):
        assert [gettext("Save"), gettext("Open"), gettext("Only")] == ["core", "alpha", "beta"]


def test_app_merges_catalogs_in_that_order(app):
    """Does the app hand Flask-Babel every catalog folder, in the order of that precedence?"""
    directories = app.extensions["babel"].translation_directories
    assert directories == catalog_directories(WEBAPP.resolve())
    assert directories[-1] == str(WEBAPP.resolve() / "translations")
    assert len(directories) == len({p.parents[2] for p in CATALOGS})
